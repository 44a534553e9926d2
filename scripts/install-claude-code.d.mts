// Types for install-claude-code.mjs (plain JS: it runs before dependencies are installed).
import type { InstallOptions } from "./cached-install.mjs";

export const CLAUDE_CODE_VERSION: string;
export function installDir(cacheDir?: string): string;

/** The self-contained native binary (glibc, no Node needed) and where it came from. */
export type ClaudeCodeInstall = {
  claudeBinary: string;
  version: string;
  /** e.g. @anthropic-ai/claude-code-linux-x64 */
  platformPackage: string;
  dir: string;
};
export function ensureClaudeCode(options?: InstallOptions): Promise<ClaudeCodeInstall>;
