import type { Db } from "../db/client";
import { AppError } from "../errors";

export async function getAgentOrThrow(db: Db, name: string) {
  const agent = await db.agent.findUnique({ where: { name } });
  if (!agent)
    throw new AppError("NOT_FOUND", `No agent named "${name}"`, { fix: "claw agents list shows the agents" });
  return agent;
}
