import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

const envSchema = z.object({
  CLAW_PORT: z.coerce.number().int().min(1).max(65535).default(7878),
  CLAW_HOME: z.string().min(1).optional(),
  CLAW_DEV: z.enum(["0", "1"]).optional(),
});

export type Config = {
  port: number;
  /** Absolute path of the state directory (mode 0700). */
  home: string;
  dev: boolean;
};

/** Reads and validates the environment once at start; a bad value stops start-up with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${issues}`);
  }
  const { CLAW_PORT, CLAW_HOME, CLAW_DEV } = parsed.data;
  return {
    port: CLAW_PORT,
    home: resolve(CLAW_HOME ?? join(homedir(), ".claw")),
    dev: CLAW_DEV === "1",
  };
}

/** Every file and folder claw keeps under CLAW_HOME, named in one place. */
export function clawPaths(home: string) {
  return {
    home,
    db: join(home, "claw.db"),
    /** The long-lived token of earlier versions; removed at start (see retire-panel-token.ts). */
    panelToken: join(home, "panel-token"),
    keys: join(home, "keys"),
    audit: join(home, "audit"),
    /** Signed audit checkpoints, outside the DB (see server/audit/audit-log.ts). */
    auditCheckpoints: join(home, "audit", "checkpoints.log"),
    run: join(home, "run"),
    /** Written only when the host needs the runtime/ulimit workaround (see server/podman). */
    containersConf: join(home, "containers.conf"),
    /** Socket of the `podman system service` the panel starts when none answers. */
    podmanSocket: join(home, "run", "podman.sock"),
    /** The panel's own socket for the CLI (0600 in the 0700 run/): connecting is the credential. */
    panelSocket: join(home, "run", "panel.sock"),
    templates: join(home, "templates"),
    agents: join(home, "agents"),
    trash: join(home, "trash"),
    /** Claude Code jobs: settings, secrets, sessions (workspace + Claude config) and runs (output). */
    jobs: join(home, "jobs"),
    /** Write-only secrets (`claw secrets`): model keys for the model gateway, env secrets for templates. */
    secrets: join(home, "secrets"),
    /** Channel settings and their secrets (the Telegram bot token). */
    access: join(home, "access"),
  };
}

export type ClawPaths = ReturnType<typeof clawPaths>;
