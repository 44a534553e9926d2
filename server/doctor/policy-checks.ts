import type { Db } from "../db/client";
import { listTemplates } from "../policy/load-templates";
import type { DoctorCheck } from "./doctor-verdicts";

export async function checkTemplates(templatesDir: string): Promise<DoctorCheck> {
  const base = { id: "templates", title: "Templates" };
  const templates = await listTemplates(templatesDir);
  const broken = templates.filter((template) => template.problems);
  if (broken.length === 0)
    return {
      ...base,
      status: "ok",
      detail: `${templates.length} templates parse (${templates.map((t) => t.name).join(", ")}).`,
    };
  const first = broken[0]?.problems?.[0];
  return {
    ...base,
    status: "fail",
    detail: `${broken.map((t) => t.name).join(", ")} ${broken.length === 1 ? "does" : "do"} not parse${first ? `: ${first.source}:${first.line}:${first.column}: ${first.path} ${first.message}` : ""}.`,
    fix: first ? `edit ${first.source} at line ${first.line}` : `claw templates list`,
  };
}

/** Every agent's lock, verified: a drifted agent will be refused at start. */
export async function checkAgentLocks(
  db: Db,
  verify: (name: string) => Promise<{ agent: string; state: string; findings: { message: string }[] }>,
): Promise<DoctorCheck> {
  const base = { id: "agent-locks", title: "Agent policy locks" };
  const agents = await db.agent.findMany({ select: { name: true } });
  if (agents.length === 0) return { ...base, status: "ok", detail: "No agents yet." };
  const verdicts = await Promise.all(agents.map((agent) => verify(agent.name)));
  const bad = verdicts.filter((verdict) => verdict.state !== "ok");
  if (bad.length === 0)
    return { ...base, status: "ok", detail: `All ${agents.length} agents match their signed locks.` };
  return {
    ...base,
    status: bad.some((verdict) => verdict.state === "bad_signature" || verdict.state === "artifact_tamper")
      ? "fail"
      : "warn",
    detail: bad
      .map((verdict) => `${verdict.agent}: ${verdict.state} (${verdict.findings[0]?.message})`)
      .join("; "),
    fix: `claw policy validate ${bad[0]?.agent} to see why; claw policy relock ${bad[0]?.agent} once the change is intended`,
  };
}

export type WorkspaceAccess =
  | { agent: string; running: false }
  | { agent: string; running: true; readable: boolean; error: string };

/** Pure: every running agent can read its own workspace (a read-only one that stayed the panel's cannot). */
export function verdictAgentWorkspaces(access: WorkspaceAccess[]): DoctorCheck {
  const base = { id: "agent-workspaces", title: "Agent workspaces" };
  const running = access.filter((entry) => entry.running);
  const stopped = access.length - running.length;
  const later =
    stopped > 0
      ? ` ${stopped} stopped ${stopped === 1 ? "agent is" : "agents are"} checked when running.`
      : "";
  const unreadable = running.filter((entry) => !entry.readable);
  const first = unreadable[0];
  if (!first)
    return {
      ...base,
      status: "ok",
      detail:
        running.length === 0
          ? `No agent is running.${later}`
          : `${running.length} running ${running.length === 1 ? "agent reads its" : "agents read their"} /workspace.${later}`,
    };
  return {
    ...base,
    status: "fail",
    detail: `${unreadable.map((entry) => entry.agent).join(", ")} cannot read /workspace${first.error ? ` (${first.error.slice(0, 200)})` : ""}.`,
    fix: `claw agents restart ${first.agent} (start lets the agent's uid into its workspace)`,
  };
}
