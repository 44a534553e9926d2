import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError } from "../errors";
import { agentApiSocketDir, agentApiSocketName } from "../policy/agent-jobs";
import type { ContainerSpec } from "../policy/compile-container-spec";
import type { AgentFiles } from "../policy/verify-policy";

/** The files of one agent, under CLAW_HOME/agents/<name>/. */
export function agentFilePaths(agentsDir: string, name: string) {
  return agentFilesIn(join(agentsDir, name));
}

/** The same layout in any directory (creation writes it into a temp dir first). */
export function agentFilesIn(dir: string) {
  return {
    dir,
    agentYaml: join(dir, "agent.yaml"),
    templateSnapshot: join(dir, "template.yaml"),
    /** The agent's own template copy, once a person changed its allowlist alone (agent-template.ts). */
    ownTemplate: join(dir, "own-template.yaml"),
    openclawJson: join(dir, "openclaw.json"),
    containerSpecJson: join(dir, "container-spec.json"),
    lock: join(dir, "policy.lock.json"),
    agentsMd: join(dir, "workspace", "AGENTS.md"),
    /** Panel-only, beside the mounts: new files for the workspace are made here, then renamed in. */
    staging: join(dir, "staging"),
    /** The Gateway token, 0600: passed to the container as env and to the browser that opens the Control UI. */
    gatewayToken: join(dir, "secrets", "gateway-token"),
    /** The Gateway's hooks token, 0600: the panel posts job-end notices with it (agents that may start jobs). */
    hooksToken: join(dir, "secrets", "hooks-token"),
    /** The agent API's socket (run/api is mounted at /run/claw/api), for agents that may start jobs. */
    apiSocket: join(dir, agentApiSocketDir, agentApiSocketName),
    /** Where claw-ingress inside the container listens (run/ingress is mounted at /run/claw/ingress). */
    ingressSocket: join(dir, "run", "ingress", "gateway.sock"),
  };
}

const readOptional = (path: string) =>
  readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });

export async function readAgentFiles(agentsDir: string, name: string): Promise<AgentFiles> {
  const paths = agentFilePaths(agentsDir, name);
  const [lock, templateSnapshot, openclawJson, containerSpecJson] = await Promise.all([
    readOptional(paths.lock),
    readOptional(paths.templateSnapshot),
    readOptional(paths.openclawJson),
    readOptional(paths.containerSpecJson),
  ]);
  return { lock, templateSnapshot, openclawJson, containerSpecJson };
}

/** The agent's container-spec.json as written at its last lock (verify the lock first to trust it). */
export async function readContainerSpec(agentsDir: string, name: string): Promise<ContainerSpec> {
  const text = await readOptional(agentFilePaths(agentsDir, name).containerSpecJson);
  if (!text) throw new AppError("NOT_FOUND", `${name} has no container-spec.json`);
  return JSON.parse(text) as ContainerSpec;
}

/** The agent's Gateway token (or its hooks token), made on first use and kept 0600 beside its files. */
export async function ensureAgentToken(
  agentsDir: string,
  name: string,
  which: "gatewayToken" | "hooksToken" = "gatewayToken",
): Promise<string> {
  const path = agentFilePaths(agentsDir, name)[which];
  const existing = await readFile(path, "utf8").catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}
