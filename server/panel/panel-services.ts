import type { ClawPaths, Config } from "../config";
import type { Db } from "../db/client";
import type { PodmanService } from "../podman/podman-service";

/** What every handler may use: built once at start in server.ts, closed once at shutdown. */
export type PanelServices = {
  config: Config;
  paths: ClawPaths;
  db: Db;
  podman: PodmanService;
  startedAt: Date;
  version: string;
};
