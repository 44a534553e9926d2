// Types for cached-install.mjs (plain JS: it runs before dependencies are installed).
export type InstallOptions = {
  /** Where installs live; defaults to the script's dir under <repo>/.cache. */
  cacheDir?: string;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
  /** The npm to fetch with (tests pass a fake). */
  npm?: string;
  /** How long to wait for another process's install. */
  lockTimeoutMs?: number;
};
