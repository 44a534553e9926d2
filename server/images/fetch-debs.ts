import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../errors";
import type { ImagePodman } from "./image-podman";
import { runCommand } from "./run-command";

/** What the agent image installs from host-downloaded .debs (minbase lacks them). */
export const agentDebs = ["tini", "ca-certificates", "libssl3", "openssl"] as const;

/** Pure: an image's pins for its .debs, `deb:NAME` → version. */
export function debPins(versions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(versions).map(([name, version]) => [`deb:${name}`, version]));
}

/** Pure: package → candidate version, from `apt-cache policy PKG…` output. */
export function parseAptCandidates(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const name = /^(\S+):\s*$/.exec(line);
    if (name?.[1]) {
      current = name[1];
      continue;
    }
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (current && candidate?.[1] && candidate[1] !== "(none)") versions[current] = candidate[1];
  }
  return versions;
}

const aptFix = "Run `apt-get update` on the host so apt can see Debian's packages, then build again.";

/** Edge: the versions apt would download now (no network needed), so they can enter the inputs hash. */
export async function readDebVersions(packages: readonly string[]): Promise<Record<string, string>> {
  const { stdout } = await runCommand("apt-cache", ["policy", ...packages], { fix: aptFix });
  const versions = parseAptCandidates(stdout);
  const missing = packages.filter((name) => !versions[name]);
  if (missing.length > 0) {
    throw new AppError("PRECONDITION_FAILED", `apt has no candidate version for ${missing.join(", ")}`, {
      fix: aptFix,
    });
  }
  return versions;
}

/** Edge: `apt-get download` of exact versions into `dir`; returns the .deb file names. */
export async function downloadDebs(versions: Record<string, string>, dir: string): Promise<string[]> {
  const specs = Object.entries(versions).map(([name, version]) => `${name}=${version}`);
  await runCommand("apt-get", ["-q", "-o", "APT::Sandbox::User=root", "download", ...specs], {
    cwd: dir,
    fix: `${aptFix} The host must reach its Debian mirror to download .debs.`,
  });
  return (await readdir(dir)).filter((name) => name.endsWith(".deb")).sort();
}

/** Pure: package → version of each `Inst` line of `apt-get --simulate install …` output. */
export function parseAptSimulation(text: string): Record<string, string> {
  const removals = text.split("\n").filter((line) => line.startsWith("Remv "));
  if (removals.length > 0) {
    throw new AppError("PRECONDITION_FAILED", `Installing would remove packages: ${removals.join("; ")}`, {
      fix: "Pick packages that install onto the base image without removing any of its own.",
    });
  }
  const versions: Record<string, string> = {};
  for (const line of text.split("\n")) {
    // `Inst NAME [INSTALLED] (CANDIDATE ORIGIN [ARCH])`; the bracket is there only for upgrades.
    const match = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) /.exec(line);
    if (match?.[1] && match[2]) versions[match[1]] = match[2];
  }
  return versions;
}

/**
 * Edge: the exact .debs that `dpkg -i` needs to install `packages` onto the image `baseRef`:
 * apt on the host resolves their dependencies against the base's own dpkg database, so the set
 * holds what the base lacks, and newer versions of what it has when a dependency asks for them.
 */
export async function resolveDebsOnto(
  podman: ImagePodman,
  baseRef: string,
  packages: readonly string[],
): Promise<Record<string, string>> {
  const { stdout: status } = await runCommand(
    podman.podmanBinary,
    ["run", "--rm", "--pull=never", "--network", "none", baseRef, "cat", "/var/lib/dpkg/status"],
    {
      env: podman.cliEnv,
      fix: `Check that ${baseRef} exists and starts (\`podman run --rm ${baseRef} true\`).`,
    },
  );
  const work = await mkdtemp(join(tmpdir(), "claw-debs-"));
  try {
    const statusFile = join(work, "status");
    await writeFile(statusFile, status);
    const { stdout } = await runCommand(
      "apt-get",
      [
        "--simulate",
        "--quiet",
        "--no-install-recommends",
        "-o",
        `Dir::State::status=${statusFile}`,
        "-o",
        "Debug::NoLocking=true",
        "install",
        ...packages,
      ],
      { fix: aptFix },
    );
    return parseAptSimulation(stdout);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
