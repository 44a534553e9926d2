import { describe, expect, it } from "vitest";
import { verdictAgentWorkspaces } from "./policy-checks";

describe("verdictAgentWorkspaces", () => {
  it("is ok when every running agent reads its workspace, and says when stopped ones are checked", () => {
    expect(
      verdictAgentWorkspaces([
        { agent: "a", running: true, readable: true, error: "" },
        { agent: "b", running: false },
      ]),
    ).toMatchObject({
      status: "ok",
      detail: "1 running agent reads its /workspace. 1 stopped agent is checked when running.",
    });
    expect(verdictAgentWorkspaces([])).toMatchObject({ status: "ok", detail: "No agent is running." });
  });

  it("fails naming every agent that cannot read it, with Podman's words and the fix for the first", () => {
    const verdict = verdictAgentWorkspaces([
      { agent: "a", running: true, readable: true, error: "" },
      {
        agent: "rev",
        running: true,
        readable: false,
        error: "ls: cannot open directory '/workspace': Permission denied",
      },
      { agent: "sec", running: true, readable: false, error: "" },
    ]);
    expect(verdict).toMatchObject({
      status: "fail",
      detail: "rev, sec cannot read /workspace (ls: cannot open directory '/workspace': Permission denied).",
      fix: "claw agents restart rev (start lets the agent's uid into its workspace)",
    });
  });
});
