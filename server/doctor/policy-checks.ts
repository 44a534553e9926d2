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
