import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify as yamlStringify } from "yaml";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { faultPoint } from "../fault-points";
import type { HostKey } from "../keys/host-key";
import type { HostFacts } from "../policy/compile-inputs";
import { type CompiledPolicy, compilePolicy, lockPolicy } from "../policy/compile-policy";
import { getTemplateOrThrow, type LoadedTemplate } from "../policy/load-templates";
import { dnsLabel } from "../policy/template-schema";
import { agentFilePaths, agentFilesIn } from "./agent-files";

export type AgentDeps = {
  paths: ClawPaths;
  db: Db;
  audit: AuditLog;
  hostKey: HostKey;
  /** The image's digest in Podman now, or undefined when it is not built yet. */
  imageDigest: (ref: string) => Promise<string | undefined>;
  host: () => Promise<HostFacts>;
};

/** A create writes into `.creating-<name>-<8 hex>` beside the agents, then renames it into place. */
export const creatingPrefix = ".creating-";

/** Until the image is built (issue 5) the lock names it as unbuilt; the first build re-locks. */
export const unbuiltDigest = "unbuilt";

export function templateSourceLabel(template: LoadedTemplate): string {
  return template.source.kind === "builtin" ? "builtin" : `user:${template.source.path}`;
}

/** What the agents table keeps about the current lock (the files are the source of truth). */
export function lockedAgentFields(
  loaded: LoadedTemplate,
  compiled: CompiledPolicy,
  lock: { digest: string; payload: { lockedAt: string; image: { ref: string; digest: string } } },
) {
  return {
    template: loaded.name,
    templateSource: templateSourceLabel(loaded),
    networkProfile: compiled.containerSpec.network.profile,
    imageRef: lock.payload.image.ref,
    imageDigest: lock.payload.image.digest,
    lockDigest: lock.digest,
    lockedAt: new Date(lock.payload.lockedAt),
  };
}

export function validateAgentName(name: string): string {
  const parsed = dnsLabel.safeParse(name);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      `"${name}" is not a valid agent name: ${parsed.error.issues[0]?.message}`,
      {
        fix: "Use 1–40 lowercase letters, digits and '-', starting with a letter (like coder-1).",
      },
    );
  }
  return parsed.data;
}

/**
 * Writes the agent's directory and its DB row all or nothing: the files are written into a
 * hidden temp dir and renamed into place; the row and its audit event commit together; if that
 * fails the directory goes again.
 */
export async function createAgent(deps: AgentDeps, input: { name: string; template: string; actor: string }) {
  const name = validateAgentName(input.name);
  const loaded = await getTemplateOrThrow(deps.paths.templates, input.template);
  if (await deps.db.agent.findUnique({ where: { name } })) {
    throw new AppError("CONFLICT", `An agent named "${name}" already exists`);
  }
  const ref = loaded.template.container.image;
  const image = { ref, digest: (await deps.imageDigest(ref)) ?? unbuiltDigest };
  const compiled = compilePolicy({ template: loaded.template, agent: name, image, host: await deps.host() });
  const templateSource = templateSourceLabel(loaded);
  const lock = lockPolicy({
    agent: name,
    templateName: loaded.name,
    templateSource,
    templateText: loaded.text,
    compiled,
    previousLockDigest: null,
    hostKey: deps.hostKey,
  });

  await mkdir(deps.paths.agents, { recursive: true, mode: 0o700 });
  const final = agentFilePaths(deps.paths.agents, name);
  const temp = join(deps.paths.agents, `${creatingPrefix}${name}-${randomBytes(4).toString("hex")}`);
  const files = agentFilesIn(temp);
  try {
    for (const dir of ["workspace", "state", "logs", "run/ingress", "run/egress", "run/model", "run/api"]) {
      await mkdir(join(temp, dir), { recursive: true, mode: 0o700 });
    }
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    await writeFile(
      files.agentYaml,
      yamlStringify({ name, template: loaded.name, templateSource, createdAt: new Date().toISOString() }),
      { mode: 0o600 },
    );
    await writeFile(files.templateSnapshot, loaded.text, { mode: 0o600 });
    await writeFile(files.openclawJson, json(compiled.openclawConfig), { mode: 0o600 });
    await writeFile(files.containerSpecJson, json(compiled.containerSpec), { mode: 0o600 });
    await writeFile(files.lock, json(lock.envelope), { mode: 0o600 });
    // Readable by the agent's uid also where the workspace is mounted read-only (a re-lock writes it so too).
    await writeFile(files.agentsMd, compiled.agentsMd, { mode: 0o644 });
    faultPoint("create:temp-written");
    await rename(temp, final.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOTEMPTY" || error.code === "EEXIST") {
        throw new AppError("CONFLICT", `${final.dir} already exists`, {
          fix: "Delete or move that directory, or pick another name.",
        });
      }
      throw error;
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }

  faultPoint("create:folder-renamed");
  try {
    const created = await deps.audit.transaction(async (tx, record) => {
      const agent = await tx.agent.create({ data: { name, ...lockedAgentFields(loaded, compiled, lock) } });
      await record({
        category: "policy",
        action: "agent_created",
        actor: input.actor,
        agent: name,
        outcome: "ok",
        details: {
          template: loaded.name,
          templateSource,
          network: compiled.containerSpec.network.profile,
          lockDigest: lock.digest,
          templateHash: lock.payload.template.hash,
          artifacts: lock.payload.artifacts,
        },
      });
      return agent;
    });
    faultPoint("create:row-committed");
    return created;
  } catch (error) {
    await rm(final.dir, { recursive: true, force: true });
    throw error;
  }
}
