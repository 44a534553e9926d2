import { describe, expect, it } from "vitest";
import {
  jobsNetworkText,
  jobsWorkspaceText,
  personSessions,
  quotaRefusal,
  quotaSummary,
  workspaceNote,
} from "./agent-job-text";
import type { AgentJobQuota } from "./job-types";

const policy: NonNullable<AgentJobQuota["policy"]> = {
  template: "default",
  maxConcurrent: 2,
  maxPerHour: 20,
  workspace: "agent",
  network: { profile: "none", allow: [] },
  socketDir: "run/api",
};

describe("quotaSummary", () => {
  it("says what is in use against each limit", () => {
    expect(quotaSummary({ policy, active: 2, lastHour: 5 })).toBe("2 of 2 at a time · 5 of 20 this hour");
    expect(quotaSummary({ policy, active: 0, lastHour: 0 })).toBe("0 of 2 at a time · 0 of 20 this hour");
  });

  it("without a policy, says only what is in use", () => {
    expect(quotaSummary({ policy: null, active: 1, lastHour: 3 })).toBe("1 running or waiting · 3 this hour");
  });
});

describe("quotaRefusal", () => {
  it("is null while the agent has room", () => {
    expect(quotaRefusal({ policy, active: 1, lastHour: 19 })).toBeNull();
    expect(quotaRefusal({ policy: null, active: 5, lastHour: 50 })).toBeNull();
  });

  it("names the limit reached, the one at a time first", () => {
    expect(quotaRefusal({ policy, active: 2, lastHour: 20 })).toMatch(/^At its limit/);
    expect(quotaRefusal({ policy, active: 0, lastHour: 20 })).toMatch(/^At its hourly limit/);
  });
});

describe("jobsNetworkText", () => {
  it("says none and full plainly, full as unrecorded", () => {
    expect(jobsNetworkText({ profile: "none", allow: [] })).toBe("none: only the model gateway");
    expect(jobsNetworkText({ profile: "full", allow: [] })).toBe("full: the whole network, unrecorded");
  });

  it("lists an allowlist's hosts, or says it is empty", () => {
    expect(jobsNetworkText({ profile: "restricted", allow: ["github.com", "*.npmjs.org"] })).toBe(
      "restricted: the model gateway and github.com, *.npmjs.org, through the egress proxy",
    );
    expect(jobsNetworkText({ profile: "devops", allow: [] })).toBe(
      "devops: the model gateway and nothing else, through the egress proxy",
    );
  });
});

describe("workspaces", () => {
  it("names the agent whose workspace the jobs work on", () => {
    expect(jobsWorkspaceText("agent", "coder-1")).toMatch(/^coder-1's workspace/);
    expect(jobsWorkspaceText("session", "coder-1")).toMatch(/^a fresh workspace per session/);
  });

  it("notes a job on an agent's workspace only", () => {
    expect(workspaceNote({ agent: "coder-1", workspace: "agent" })).toBe("works on coder-1's workspace");
    expect(workspaceNote({ agent: "coder-1", workspace: "session" })).toBeNull();
    expect(workspaceNote({ agent: null, workspace: "session" })).toBeNull();
  });

  it("leaves an agent's sessions out of a person's choices", () => {
    const sessions = [
      { id: "s-a", agent: null },
      { id: "s-b", agent: "coder-1" },
    ];
    expect(personSessions(sessions).map((session) => session.id)).toEqual(["s-a"]);
  });
});
