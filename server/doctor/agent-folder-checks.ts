import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Db } from "../db/client";
import type { DoctorCheck } from "./doctor-verdicts";

/** Pure: the agents' folders and rows agree; anything a crash left that the panel's start could not fix. */
export function verdictAgentFolders(facts: {
  agentsDir: string;
  /** Entries of the agents directory that are folders. */
  folders: string[];
  rows: string[];
}): DoctorCheck {
  const base = { id: "agent-folders", title: "Agent folders" };
  const rows = new Set(facts.rows);
  const folders = new Set(facts.folders);
  const unfinished = facts.folders.filter((name) => name.startsWith(".creating-"));
  const withoutRow = facts.folders.filter((name) => !name.startsWith(".") && !rows.has(name));
  const withoutFolder = facts.rows.filter((name) => !folders.has(name));
  const problems = [
    ...unfinished.map((name) => `${name} was left by a create that was cut short`),
    ...withoutRow.map((name) => `${name}/ belongs to no agent`),
    ...withoutFolder.map((name) => `the agent ${name} has no folder`),
  ];
  if (problems.length === 0)
    return { ...base, status: "ok", detail: `Every agent has its folder, and every folder its agent.` };
  const firstFolder = unfinished[0] ?? withoutRow[0];
  return {
    ...base,
    status: "warn",
    detail: `In ${facts.agentsDir}: ${problems.join("; ")}.`,
    fix: firstFolder
      ? `Restart the panel (its start finishes or removes these); if it stays, move ${join(facts.agentsDir, firstFolder)} out of the agents folder.`
      : `claw agents delete ${withoutFolder[0]}`,
  };
}

export async function checkAgentFolders(db: Db, agentsDir: string): Promise<DoctorCheck> {
  const entries = await readdir(agentsDir, { withFileTypes: true }).catch(() => []);
  const rows = await db.agent.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  return verdictAgentFolders({
    agentsDir,
    folders: entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name),
    rows: rows.map((row) => row.name),
  });
}
