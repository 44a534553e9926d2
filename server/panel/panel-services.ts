import type { AccessService } from "../access/access-service";
import type { AgentService } from "../agents/agent-service";
import type { Approvals } from "../approvals/approvals";
import type { AuditLog } from "../audit/audit-log";
import type { AuditTail } from "../audit/audit-tail";
import type { ClawPaths, Config } from "../config";
import type { Db } from "../db/client";
import type { ImageBuilds } from "../images/image-builds";
import type { JobService } from "../jobs/job-service";
import type { HostKey } from "../keys/host-key";
import type { PodmanService } from "../podman/podman-service";
/** What every handler may use: built once at start in server.ts, closed once at shutdown. */
import type { SecretStore } from "../secrets/secret-store";
import type { TerminalManager } from "../terminal/terminal-sessions";
import type { TicketStore } from "../terminal/terminal-tickets";

export type PanelServices = {
  config: Config;
  paths: ClawPaths;
  db: Db;
  podman: PodmanService;
  hostKey: HostKey;
  audit: AuditLog;
  auditTail: AuditTail;
  imageBuilds: ImageBuilds;
  agents: AgentService;
  approvals: Approvals;
  terminals: { tickets: TicketStore; manager: TerminalManager };
  jobs: JobService;
  access: AccessService;
  secrets: SecretStore;
  startedAt: Date;
  version: string;
};
