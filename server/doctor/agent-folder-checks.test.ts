import { describe, expect, it } from "vitest";
import { verdictAgentFolders } from "./agent-folder-checks";

describe("verdictAgentFolders", () => {
  it("is ok when folders and agents agree", () => {
    expect(
      verdictAgentFolders({ agentsDir: "/h/agents", folders: ["a", "b"], rows: ["b", "a"] }),
    ).toMatchObject({
      status: "ok",
    });
  });

  it("lists what a crash left and recovery could not fix, with the fix for the first", () => {
    const verdict = verdictAgentFolders({
      agentsDir: "/h/agents",
      folders: [".creating-x-0a1b2c3d", "stray", "a"],
      rows: ["a", "lost"],
    });
    expect(verdict).toMatchObject({
      status: "warn",
      detail:
        "In /h/agents: .creating-x-0a1b2c3d was left by a create that was cut short; stray/ belongs to no agent; the agent lost has no folder.",
      fix: "Restart the panel (its start finishes or removes these); if it stays, move /h/agents/.creating-x-0a1b2c3d out of the agents folder.",
    });
    expect(verdictAgentFolders({ agentsDir: "/h/agents", folders: [], rows: ["lost"] }).fix).toBe(
      "claw agents delete lost",
    );
  });
});
