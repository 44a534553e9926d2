// Types for install-openclaw.mjs (plain JS: it runs before dependencies are installed).
import type { InstallOptions } from "./cached-install.mjs";

export type { InstallOptions };
export const OPENCLAW_VERSION: string;
export const NODE_VERSION: string;
export const defaultCacheDir: string;
export function installDir(cacheDir?: string): string;

export type OpenClawInstall = {
  nodeBinary: string;
  openclawBin: string;
  version: string;
  nodeVersion: string;
  dir: string;
};
export function ensureOpenClaw(options?: InstallOptions): Promise<OpenClawInstall>;

export type OpenClawRun = {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
};
export function runOpenClaw(
  args: string[],
  options?: {
    env?: Record<string, string | undefined>;
    input?: string;
    timeoutMs?: number;
    home?: string;
    cwd?: string;
    install?: InstallOptions;
  },
): Promise<OpenClawRun>;
