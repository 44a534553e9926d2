import { basename, dirname } from "node:path";
import { faultPoint } from "../fault-points";
import { replaceContainerFile } from "../fs/container-files";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { compilePolicy, lockPolicy } from "../policy/compile-policy";
import { explainPolicy } from "../policy/explain-policy";
import { listTemplates } from "../policy/load-templates";
import { openLock } from "../policy/policy-lock";
import { type AgentFiles, verifyPolicy } from "../policy/verify-policy";
import { agentFilePaths, readAgentFiles } from "./agent-files";
import { agentTemplateOrThrow, readOwnTemplate } from "./agent-template";
import { type AgentDeps, lockedAgentFields, templateSourceLabel, unbuiltDigest } from "./create-agent";
import { getAgentOrThrow } from "./get-agent";

/** Verifies an agent's lock against its files, its template's source now, and its image now. */
export async function verifyAgentPolicy(deps: AgentDeps, name: string) {
  const agent = await getAgentOrThrow(deps.db, name);
  return verifyLoadedPolicy(deps, agent, await readAgentFiles(deps.paths.agents, name));
}

/**
 * The same for an agent whose row and files the caller has read already. When Podman cannot say
 * what the image is, this throws its outage (imageDigest does): "unknown" is never a verdict.
 */
export async function verifyLoadedPolicy(
  deps: AgentDeps,
  agent: { name: string; template: string; imageRef: string },
  files: AgentFiles,
) {
  const name = agent.name;
  const source =
    (await readOwnTemplate(deps, name)) ??
    (await listTemplates(deps.paths.templates)).find((template) => template.name === agent.template);
  const verdict = verifyPolicy({
    agent: name,
    files,
    publicKey: deps.hostKey.publicKey,
    currentImageDigest: (await deps.imageDigest(agent.imageRef)) ?? unbuiltDigest,
    sourceTemplate: source?.text,
  });
  return { agent: name, ...verdict, templateMissing: source === undefined };
}

/** The artifacts as stored, the opened lock, and the plain-language account of them. */
export async function showAgentPolicy(deps: AgentDeps, name: string) {
  await getAgentOrThrow(deps.db, name);
  const files = await readAgentFiles(deps.paths.agents, name);
  const parse = (text: string | undefined) => {
    try {
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  };
  const lockEnvelope = parse(files.lock);
  const opened = lockEnvelope === undefined ? undefined : openLock(lockEnvelope, deps.hostKey.publicKey);
  const openclawConfig = parse(files.openclawJson);
  const containerSpec = parse(files.containerSpecJson);
  return {
    agent: name,
    templateSnapshot: files.templateSnapshot ?? null,
    openclawJson: files.openclawJson ?? null,
    containerSpecJson: files.containerSpecJson ?? null,
    lock: lockEnvelope ?? null,
    lockPayload: opened?.ok ? opened.payload : null,
    explanation: containerSpec && openclawConfig ? explainPolicy({ containerSpec, openclawConfig }) : null,
  };
}

/**
 * Re-compiles from the template's source and the image as they are now, re-signs (chaining to
 * the previous lock) and records the before/after hashes.
 */
export async function relockAgent(deps: AgentDeps, name: string, actor: string) {
  const agent = await getAgentOrThrow(deps.db, name);
  const before = await verifyAgentPolicy(deps, name);
  const loaded = await agentTemplateOrThrow(deps, agent);
  const image = {
    ref: loaded.template.container.image,
    digest: (await deps.imageDigest(loaded.template.container.image)) ?? unbuiltDigest,
  };
  const compiled = compilePolicy({ template: loaded.template, agent: name, image, host: await deps.host() });
  const previous = await readAgentFiles(deps.paths.agents, name);
  const previousPayload = previous.lock
    ? openLock(JSON.parse(previous.lock), deps.hostKey.publicKey)
    : undefined;
  const lock = lockPolicy({
    agent: name,
    templateName: loaded.name,
    templateSource: templateSourceLabel(loaded),
    templateText: loaded.text,
    compiled,
    previousLockDigest: agent.lockDigest,
    hostKey: deps.hostKey,
  });
  const files = agentFilePaths(deps.paths.agents, name);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFileAtomic(files.templateSnapshot, loaded.text);
  await writeFileAtomic(files.openclawJson, json(compiled.openclawConfig));
  await writeFileAtomic(files.containerSpecJson, json(compiled.containerSpec));
  // The lock last: until it lands, verify reports the new files as drift from the old lock.
  await writeFileAtomic(files.lock, json(lock.envelope));
  faultPoint("relock:lock-written");
  // AGENTS.md sits in the workspace, which the agent writes: replaced by rename, never written
  // through, and not part of the lock, so whatever the agent left there cannot block a re-lock.
  await replaceContainerFile(dirname(files.agentsMd), basename(files.agentsMd), compiled.agentsMd, {
    stagingDir: files.staging,
    mode: 0o644,
  }).catch((error: unknown) =>
    console.error(
      `claw: ${name}: AGENTS.md not refreshed: ${error instanceof Error ? error.message : error}`,
    ),
  );
  await deps.audit.transaction(async (tx, record) => {
    await tx.agent.update({ where: { name }, data: lockedAgentFields(loaded, compiled, lock) });
    await record({
      category: "policy",
      action: "policy_relocked",
      actor,
      agent: name,
      outcome: "ok",
      details: {
        stateBefore: before.state,
        findingsBefore: before.findings.map((finding) => finding.message),
        before: previousPayload?.ok
          ? {
              lockDigest: agent.lockDigest,
              templateHash: previousPayload.payload.template.hash,
              image: previousPayload.payload.image.digest,
              artifacts: previousPayload.payload.artifacts,
            }
          : { lockDigest: agent.lockDigest },
        after: {
          lockDigest: lock.digest,
          templateHash: lock.payload.template.hash,
          image: image.digest,
          artifacts: lock.payload.artifacts,
        },
      },
    });
  });
  return { agent: name, stateBefore: before.state, lockDigest: lock.digest, lockedAt: lock.payload.lockedAt };
}

/**
 * Agents created before their image existed are locked to "unbuilt"; the first build locks them
 * to the real image (audited as a re-lock by the system). Agents locked to another image are left
 * alone: a changed image is drift the person decides about.
 */
export async function lockUnbuiltAgents(deps: AgentDeps): Promise<string[]> {
  const waiting = await deps.db.agent.findMany({
    where: { imageDigest: unbuiltDigest },
    select: { name: true },
  });
  const locked: string[] = [];
  for (const { name } of waiting) {
    const verdict = await verifyAgentPolicy(deps, name);
    // Only the image may differ: anything else edited by hand must not be signed silently.
    if (verdict.state !== "image_drift") continue;
    await relockAgent(deps, name, "system");
    locked.push(name);
  }
  return locked;
}
