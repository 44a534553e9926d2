import { rm, stat } from "node:fs/promises";

/**
 * Earlier versions kept a long-lived panel token in CLAW_HOME/panel-token, sent by the CLI over
 * TCP and printed in every login link. Nothing accepts it any more (the CLI uses the panel's Unix
 * socket, login links carry one-time codes), so a leftover copy is removed rather than left as a
 * secret that looks live. Returns true when there was one.
 */
export async function retirePanelToken(path: string): Promise<boolean> {
  const found = await stat(path).then(
    () => true,
    () => false,
  );
  if (found) await rm(path, { force: true });
  return found;
}
