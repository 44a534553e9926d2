import { readdir } from "node:fs/promises";
import { AppError } from "../errors";
import { runCommand } from "./run-command";

/** What the agent image installs from host-downloaded .debs (minbase lacks them). */
export const agentDebs = ["tini", "ca-certificates", "libssl3", "openssl"] as const;

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
