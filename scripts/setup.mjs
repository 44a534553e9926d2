#!/usr/bin/env node
// Everything `npm start` and `npm test` need on a fresh machine, done only when missing or stale.
// Plain Node, no dependencies: it runs before node_modules exists.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = new Set(process.argv.slice(2));
const testMode = args.has("--test");
const skipBuild = args.has("--no-build");

/**
 * Podman and what it needs on Debian/Ubuntu (ENVIRONMENT.md), and debootstrap, which bootstraps
 * the agent images' base where no registry is reachable; chromium only for the e2e tests.
 */
const podmanPackages = [
  "podman",
  "runc",
  "uidmap",
  "slirp4netns",
  "fuse-overlayfs",
  "catatonit",
  "debootstrap",
];
const testPackages = ["chromium"];

const log = (message) => console.log(`setup: ${message}`);

function run(command, commandArgs, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: "inherit", ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${commandArgs.join(" ")} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** A TypeScript script under scripts/, through tsx: only once ensureNodeModules has installed it. */
function runTypeScript(script) {
  return run(process.execPath, ["--import", "tsx", join(root, "scripts", script)]);
}

function hashOf(paths) {
  const hash = createHash("sha256");
  const visit = (path) => {
    if (!existsSync(path)) return;
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(path.slice(root.length));
      hash.update(readFileSync(path));
    }
  };
  for (const path of paths) visit(join(root, path));
  return hash.digest("hex");
}

function readStamp(path) {
  return existsSync(path) ? readFileSync(path, "utf8").trim() : "";
}

function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`Node ${process.versions.node} is too old: claw needs Node 20.19 or newer.`);
  }
}

function missingDebianPackages(names) {
  return names.filter((name) => {
    const result = spawnSync("dpkg-query", ["--status", name], { encoding: "utf8" });
    return result.status !== 0 || !/^Status: install ok installed$/m.test(result.stdout);
  });
}

async function ensureSystemPackages() {
  const wanted = testMode ? [...podmanPackages, ...testPackages] : podmanPackages;
  const hasDpkg = spawnSync("dpkg-query", ["--version"]).status === 0;
  if (!hasDpkg) {
    const missing = wanted.filter((name) => spawnSync("sh", ["-c", `command -v ${name}`]).status !== 0);
    if (missing.length > 0)
      log(`not a Debian system: install ${missing.join(", ")} with your package manager.`);
    return { ok: missing.length === 0, missing };
  }
  const missing = missingDebianPackages(wanted);
  // Image builds read package versions with apt-cache, which needs the package lists.
  const listsMissing = !readdirSync("/var/lib/apt/lists").some((name) => name.includes("_Packages"));
  if (listsMissing && process.getuid?.() === 0) {
    log("fetching the Debian package lists (apt-get update)…");
    await run("apt-get", ["update", "-qq"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (missing.length === 0) return { ok: true, missing };
  const command = `apt-get install -y ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    log(
      `missing Debian packages: ${missing.join(", ")}. Install them with:\n    sudo apt-get update && sudo ${command}`,
    );
    return { ok: false, missing };
  }
  log(`installing ${missing.join(", ")} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  await run("apt-get", ["install", "-y", "-qq", ...missing], { env });
  return { ok: true, missing: [] };
}

/** Rootful `--userns=auto` needs a `containers` range in /etc/subuid and /etc/subgid. */
function ensureContainersSubids() {
  if (process.getuid?.() !== 0) return;
  for (const file of ["/etc/subuid", "/etc/subgid"]) {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    if (/^containers:/m.test(text)) continue;
    appendFileSync(
      file,
      `${text.length > 0 && !text.endsWith("\n") ? "\n" : ""}containers:2147483647:2147483648\n`,
    );
    log(`added a "containers" range to ${file} (for rootful --userns=auto)`);
  }
}

async function ensureNodeModules() {
  const stampPath = join(root, "node_modules", ".claw-deps-stamp");
  const stamp = `${hashOf(["package.json", "package-lock.json"])} node-${process.versions.node}`;
  if (readStamp(stampPath) === stamp) return;
  const env = { ...process.env };
  // better-sqlite3 compiles from source here; the local Node headers avoid a download.
  if (!env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr";
  // `npm install` rather than `npm ci`: the lockfile npm 11 writes here leaves out other
  // platforms' optional packages, and `npm ci` then refuses it as out of sync.
  log("installing npm dependencies (a few minutes on a fresh machine)…");
  await run("npm", ["install", "--no-audit", "--no-fund"], { env });
  writeFileSync(stampPath, stamp);
}

async function ensureBuild() {
  const stampPath = join(root, ".next", "claw-build-stamp");
  const inputs = [
    "app",
    "components",
    "shared",
    "public",
    "next.config.ts",
    "postcss.config.mjs",
    "tsconfig.json",
    "package-lock.json",
  ];
  const stamp = hashOf(inputs);
  if (existsSync(join(root, ".next", "BUILD_ID")) && readStamp(stampPath) === stamp) return;
  log("building the panel (next build)…");
  await run(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(stampPath, stamp);
}

async function main() {
  const started = Date.now();
  checkNode();
  // apt and npm are independent and both slow on a fresh machine: run them side by side.
  const [system] = await Promise.all([ensureSystemPackages(), ensureNodeModules()]);
  if (testMode && !system.ok) throw new Error(`the tests need ${system.missing.join(", ")} (see above)`);
  ensureContainersSubids();
  await runTypeScript("db-generate.ts");
  // The real OpenClaw (Node 24 + openclaw from npm, cached under .cache/): the policy tests run
  // its config validator. Installed here so a cold install is a visible set-up step, not a test.
  if (testMode) await runTypeScript("install-openclaw.ts");
  if (!skipBuild) await ensureBuild();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`setup failed: ${error.message}`);
  process.exit(1);
});
