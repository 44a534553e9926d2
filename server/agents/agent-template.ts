import { readFile, rm } from "node:fs/promises";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { AppError } from "../errors";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { getTemplateOrThrow, type LoadedTemplate } from "../policy/load-templates";
import { parseTemplate } from "../policy/parse-template";
import type { EgressMode, Template } from "../policy/template-schema";
import { agentFilePaths } from "./agent-files";
import type { AgentDeps } from "./create-agent";

/**
 * Where an agent's policy comes from: its template by name (built-in or the user's), or — once a
 * person changed this one agent's allowlist (an approval "always", an applied proposal) — its own
 * copy, `agents/NAME/own-template.yaml`, which the panel alone writes (nothing there is mounted).
 */
export async function agentTemplateOrThrow(
  deps: Pick<AgentDeps, "paths">,
  agent: { name: string; template: string },
): Promise<LoadedTemplate & { template: Template }> {
  const own = await readOwnTemplate(deps, agent.name);
  if (own) return own;
  return getTemplateOrThrow(deps.paths.templates, agent.template);
}

/** The agent's own template copy, when it has one. */
export async function readOwnTemplate(
  deps: Pick<AgentDeps, "paths">,
  name: string,
): Promise<(LoadedTemplate & { template: Template }) | undefined> {
  const path = agentFilePaths(deps.paths.agents, name).ownTemplate;
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const template = parseTemplate(text, path);
  return { name: template.metadata.name, source: { kind: "user", path }, text, template };
}

export type NetworkChange = { add?: string[]; remove?: string[]; mode?: EgressMode };

/**
 * Pure: the template text with `add` added to (and `remove` taken from) its
 * `container.network.allow`, and its egress mode set, comments and layout kept; the allowlists
 * before and after.
 */
export function editNetworkText(
  text: string,
  change: NetworkChange,
): { text: string; before: string[]; after: string[] } {
  const doc = parseDocument(text);
  const network = doc.getIn(["container", "network"]);
  if (!isMap(network)) throw new AppError("BAD_REQUEST", "The template has no container.network section");
  const current = network.get("allow");
  const before = isSeq(current)
    ? current.items.map((item) => String(isScalar(item) ? item.value : item))
    : [];
  const removed = new Set(change.remove ?? []);
  const after = before.filter((entry) => !removed.has(entry));
  for (const entry of change.add ?? []) if (!after.includes(entry)) after.push(entry);
  if (change.add || change.remove) network.set("allow", doc.createNode(after));
  if (change.mode) network.set("mode", change.mode);
  return { text: doc.toString(), before, after };
}

/**
 * Changes one agent's network (allowlist entries, egress mode): writes its own template copy,
 * re-compiles and re-locks (audited as a re-lock, plus the change with the allowlist before and
 * after). A failed re-lock puts the copy back as it was.
 */
export async function editAgentNetwork(
  deps: AgentDeps,
  agent: { name: string; template: string },
  change: NetworkChange,
  actor: string,
  why: string,
  relock: () => Promise<unknown>,
): Promise<{ before: string[]; after: string[]; mode: EgressMode }> {
  const loaded = await agentTemplateOrThrow(deps, agent);
  const profile = loaded.template.container.network.profile;
  if (profile !== "restricted" && profile !== "devops")
    throw new AppError(
      "BAD_REQUEST",
      `${agent.name}'s network profile is ${profile}: it has no egress proxy`,
      {
        fix: "Only restricted and devops agents reach hosts through the egress proxy, with an allowlist and a mode.",
      },
    );
  const edited = editNetworkText(loaded.text, change);
  const path = agentFilePaths(deps.paths.agents, agent.name).ownTemplate;
  // Checked before anything is written: the copy must still be a valid template.
  const template = parseTemplate(edited.text, path);
  const previous = await readOwnTemplate(deps, agent.name);
  await writeFileAtomic(path, edited.text);
  try {
    await relock();
  } catch (error) {
    if (previous) await writeFileAtomic(path, previous.text);
    else await rm(path, { force: true });
    throw error;
  }
  const added = edited.after.filter((entry) => !edited.before.includes(entry));
  const removed = edited.before.filter((entry) => !edited.after.includes(entry));
  const mode = template.container.network.mode;
  await deps.audit.record({
    category: "policy",
    action: "policy_network_changed",
    actor,
    agent: agent.name,
    outcome: "ok",
    details: {
      why,
      added,
      removed,
      before: edited.before,
      after: edited.after,
      modeBefore: loaded.template.container.network.mode,
      mode,
    },
  });
  return { before: edited.before, after: edited.after, mode };
}
