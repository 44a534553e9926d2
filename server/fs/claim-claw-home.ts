import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../errors";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One panel per CLAW_HOME: two would append to one audit chain and one checkpoint file from two
 * processes. A pid file left by a panel that died is taken over.
 */
export async function claimClawHome(runDir: string): Promise<{ release: () => Promise<void> }> {
  const path = join(runDir, "panel.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new AppError("CONFLICT", `Another claw panel (pid ${pid}) is running with this CLAW_HOME`, {
          fix: `Stop it first (kill ${pid}), or give this one its own CLAW_HOME.`,
        });
      }
      await rm(path, { force: true });
    }
  }
  throw new AppError("CONFLICT", `Could not claim ${path}`);
}
