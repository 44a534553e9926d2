// Fetches the pinned Claude Code binary into <repo>/.cache/claude-code/<version>-linux-<arch>/bin/claude
// when it is not there yet (`node --import tsx scripts/install-claude-code.ts` from the command line).
//
// The npm package @anthropic-ai/claude-code is a small wrapper (it wants Node >= 22) whose
// postinstall copies one self-contained native binary out of its platform package
// (@anthropic-ai/claude-code-linux-<arch>, same version, an optional dependency) over a
// placeholder. Only that binary is needed, so the platform package is fetched with `npm pack`:
// no install scripts, no Node in the image. The glibc build, because the images are Debian.
// Lock, stamp and atomic rename come from cached-install.ts, shared with install-openclaw.ts.
import { mkdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CachedInstallSpec, InstallOptions } from "./cached-install";
import { ensureCachedInstall, exec, unpackNpmPackage } from "./cached-install";

/** Exact pin. The image's inputs hash includes it, so changing it rebuilds the image. */
export const CLAUDE_CODE_VERSION = "2.1.330";

const defaultCacheDir = fileURLToPath(new URL("../../.cache/claude-code", import.meta.url));

const platformPackages: Partial<Record<string, string>> = {
  x64: "@anthropic-ai/claude-code-linux-x64",
  arm64: "@anthropic-ai/claude-code-linux-arm64",
};

/** The self-contained native binary (glibc, no Node needed) and where it came from. */
export type ClaudeCodeInstall = {
  claudeBinary: string;
  version: string;
  /** e.g. @anthropic-ai/claude-code-linux-x64 */
  platformPackage: string;
  dir: string;
};

function platformPackage(): string {
  const name = platformPackages[process.arch];
  if (process.platform !== "linux" || !name) {
    throw new Error(`no Claude Code package for ${process.platform}/${process.arch}: only linux x64/arm64`);
  }
  return name;
}

const installName = () => `${CLAUDE_CODE_VERSION}-linux-${process.arch}`;
const binaryOf = (dir: string) => join(dir, "bin", "claude");

export function installDir(cacheDir = defaultCacheDir): string {
  return join(resolve(cacheDir), installName());
}

const installInto: CachedInstallSpec["install"] = async (work, { log, npm }) => {
  const name = platformPackage();
  const unpacked = join(work, "package");
  log(`fetching Claude Code ${CLAUDE_CODE_VERSION} (npm pack ${name}@${CLAUDE_CODE_VERSION}, ~175 MB)`);
  await unpackNpmPackage(npm, `${name}@${CLAUDE_CODE_VERSION}`, unpacked, { log });
  await mkdir(join(work, "bin"));
  await rename(join(unpacked, "claude"), binaryOf(work));
  await rm(unpacked, { recursive: true, force: true });
  // The binary runs on the host too (glibc): proof that the package holds what the pin says.
  const reported = (await exec(binaryOf(work), ["--version"])).stdout.trim();
  if (!reported.startsWith(`${CLAUDE_CODE_VERSION} `)) {
    throw new Error(`the unpacked Claude Code reports "${reported}", expected ${CLAUDE_CODE_VERSION}`);
  }
};

/** Makes sure the pinned Claude Code binary is in the cache; fetches it when missing. */
export async function ensureClaudeCode(options: InstallOptions = {}): Promise<ClaudeCodeInstall> {
  const dir = await ensureCachedInstall(
    {
      defaultCacheDir,
      name: installName(),
      label: `Claude Code ${CLAUDE_CODE_VERSION}`,
      logName: "install-claude-code",
      stamp: { claudeCode: CLAUDE_CODE_VERSION, package: platformPackage() },
      files: (at) => [binaryOf(at)],
      install: installInto,
    },
    options,
  );
  return {
    claudeBinary: binaryOf(dir),
    version: CLAUDE_CODE_VERSION,
    platformPackage: platformPackage(),
    dir,
  };
}
