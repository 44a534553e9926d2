import { describe, expect, it } from "vitest";
import { jobContainerSpec } from "../jobs/job-container";
import { defaultJobTemplate, withJobNetwork } from "../jobs/job-template";
import {
  type AgentJobsPolicy,
  agentApiSocketDir,
  agentJobsOf,
  claudeCodePluginId,
  claudeCodeTools,
  describeAgentJobs,
} from "./agent-jobs";
import { toolPolicyOf } from "./compile-openclaw-config";
import { compilePolicy } from "./compile-policy";
import { explainPolicy } from "./explain-policy";
import { parseTemplate } from "./parse-template";
import { builtinTemplate, builtinText, problemsOf, testImage } from "./policy-test-fixtures";
import type { Template } from "./template-schema";

const compile = (template: Template) =>
  compilePolicy({ template, agent: "a", image: testImage, host: { rootless: false, panelPort: 7878 } });

/** The built-in `name` with its `jobs:` section replaced by `jobs` (YAML lines, or none). */
function withJobs(name: string, jobs: string | null): string {
  const text = builtinText(name).replace(/\njobs:\n[\s\S]*$/, "\n");
  return jobs === null ? text : `${text}jobs:\n${jobs}`;
}

const policy = (overrides: Partial<AgentJobsPolicy> = {}): AgentJobsPolicy => ({
  template: "default",
  maxConcurrent: 1,
  maxPerHour: 10,
  workspace: "session",
  network: { profile: "none", allow: [] },
  socketDir: agentApiSocketDir,
  ...overrides,
});

const jobsSectionOf = (template: Template) => {
  const { containerSpec, openclawConfig } = compile(template);
  const explanation = explainPolicy({ containerSpec, openclawConfig });
  return { explanation, section: explanation.sections.find((s) => s.title === "Claude Code jobs") };
};

describe("the built-in templates' jobs", () => {
  it("lets coder start 2 at a time on its own workspace, with no network but the model gateway", () => {
    const { containerSpec, openclawConfig } = compile(builtinTemplate("coder"));
    expect(containerSpec.jobs).toEqual({
      template: "default",
      maxConcurrent: 2,
      maxPerHour: 20,
      workspace: "agent",
      network: { profile: "none", allow: [] },
      socketDir: "run/api",
    });
    expect(containerSpec.mounts.filter((m) => m.source === "run/api")).toEqual([
      expect.objectContaining({ target: "/run/claw/api", readOnly: true }),
    ]);
    expect(containerSpec.secretEnv).toContain("CLAW_HOOKS_TOKEN");
    expect(toolPolicyOf(openclawConfig)?.allow).toEqual(expect.arrayContaining([...claudeCodeTools]));
    const config = openclawConfig as {
      plugins: { allow: string[]; entries: Record<string, unknown> };
      hooks?: { token: string };
    };
    expect(config.plugins.allow).toContain(claudeCodePluginId);
    expect(config.plugins.entries[claudeCodePluginId]).toEqual({
      enabled: true,
      config: { socketPath: "/run/claw/api/agent.sock" },
    });
    // An env reference, never a value: the token reaches the container only at start.
    expect(config.hooks?.token).toBe(`\${CLAW_HOOKS_TOKEN}`);
  });

  it("lets devops start one at a time, each session in a fresh workspace", () => {
    expect(compile(builtinTemplate("devops")).containerSpec.jobs).toMatchObject({
      maxConcurrent: 1,
      maxPerHour: 10,
      workspace: "session",
      network: { profile: "none", allow: [] },
    });
  });

  it.each(["reviewer", "security"])("gives %s no jobs: no socket, tools, plugin or hooks", (name) => {
    const { containerSpec, openclawConfig } = compile(builtinTemplate(name));
    expect(containerSpec.jobs).toBeNull();
    expect(containerSpec.mounts.map((m) => m.source)).not.toContain("run/api");
    expect(containerSpec.mounts.map((m) => m.target)).not.toContain("/run/claw/api");
    expect(containerSpec.secretEnv).not.toContain("CLAW_HOOKS_TOKEN");
    expect(toolPolicyOf(openclawConfig)?.allow.filter((tool) => tool.startsWith("claude_code"))).toEqual([]);
    const config = openclawConfig as { plugins: { allow: string[]; entries: Record<string, unknown> } };
    expect(config.plugins.allow).not.toContain(claudeCodePluginId);
    expect(Object.keys(config.plugins.entries)).not.toContain(claudeCodePluginId);
    expect(config.plugins).not.toHaveProperty("load");
    expect(config).not.toHaveProperty("hooks");
    expect(JSON.stringify(openclawConfig)).not.toMatch(/claude_code|claw-claude-code|CLAW_HOOKS_TOKEN/);
  });
});

describe("the jobs section of a template", () => {
  it("refuses jobs on the agent's workspace when the agent may only read it, saying what to do", () => {
    const text = withJobs("reviewer", "  enabled: true\n  workspace: agent\n");
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: "jobs.workspace",
      line: text.split("\n").indexOf("  workspace: agent") + 1,
    });
    expect(problems[0]?.message).toMatch(/only read it.*workspace: session.*rw/);
    // The same jobs on a fresh workspace, or with the workspace mounted rw, are fine.
    expect(problemsOf(withJobs("reviewer", "  enabled: true\n  workspace: session\n"))).toEqual([]);
    expect(
      problemsOf(
        withJobs("reviewer", "  enabled: true\n  workspace: agent\n").replace(
          "workspace: ro",
          "workspace: rw",
        ),
      ),
    ).toEqual([]);
  });

  it("needs an allowlist for restricted jobs and takes none for no network", () => {
    const restricted = problemsOf(
      withJobs("coder", "  enabled: true\n  network:\n    profile: restricted\n"),
    );
    expect(restricted).toEqual([
      expect.objectContaining({ path: "jobs.network.allow", message: expect.stringMatching(/at least one/) }),
    ]);
    const none = problemsOf(
      withJobs("coder", "  enabled: true\n  network:\n    profile: none\n    allow: [pypi.org]\n"),
    );
    expect(none).toEqual([
      expect.objectContaining({ path: "jobs.network.allow", message: expect.stringMatching(/no allowlist/) }),
    ]);
    expect(
      problemsOf(
        withJobs(
          "coder",
          "  enabled: true\n  network:\n    profile: restricted\n    allow: [https://x.org]\n",
        ),
      ),
    ).toEqual([expect.objectContaining({ path: "jobs.network.allow.0" })]);
  });

  it("bounds the quotas", () => {
    expect(problemsOf(withJobs("coder", "  enabled: true\n  maxConcurrent: 0\n"))[0]?.path).toBe(
      "jobs.maxConcurrent",
    );
    expect(problemsOf(withJobs("coder", "  enabled: true\n  maxPerHour: 1001\n"))[0]?.path).toBe(
      "jobs.maxPerHour",
    );
    expect(problemsOf(withJobs("coder", "  enabled: true\n  template: ../x\n"))[0]?.path).toBe(
      "jobs.template",
    );
  });

  it("allows no jobs when the section is absent, and fills in the defaults when only enabled", () => {
    const absent = parseTemplate(withJobs("coder", null), "t.yaml");
    expect(absent.jobs.enabled).toBe(false);
    expect(agentJobsOf(absent)).toBeNull();
    expect(compile(absent).containerSpec.jobs).toBeNull();
    expect(
      agentJobsOf(parseTemplate(withJobs("coder", "  enabled: false\n  maxConcurrent: 4\n"), "t.yaml")),
    ).toBeNull();
    expect(agentJobsOf(parseTemplate(withJobs("coder", "  enabled: true\n"), "t.yaml"))).toEqual(policy());
  });

  it("sorts the jobs' allowlist and drops duplicates", () => {
    const template = parseTemplate(
      withJobs(
        "coder",
        "  enabled: true\n  network:\n    profile: restricted\n    allow: [pypi.org, github.com, pypi.org]\n",
      ),
      "t.yaml",
    );
    expect(agentJobsOf(template)?.network).toEqual({
      profile: "restricted",
      allow: ["github.com", "pypi.org"],
    });
  });

  it("keeps an ask mode for the jobs' network, which their containers' proxies then use", () => {
    const template = parseTemplate(
      withJobs(
        "coder",
        "  enabled: true\n  network:\n    profile: restricted\n    mode: ask\n    askTimeoutSeconds: 30\n",
      ),
      "t.yaml",
    );
    const jobs = agentJobsOf(template);
    expect(jobs?.network).toEqual({ profile: "restricted", allow: [], mode: "ask", askTimeoutSeconds: 30 });
    expect(describeAgentJobs(jobs ?? policy())).toMatch(
      /through the egress proxy, and a person is asked about any other host \(the connection waits up to 30 s\)$/,
    );
    const spec = jobContainerSpec({
      jobId: "j-abcdefghij",
      sessionId: "s-abcdefghij",
      image: testImage,
      rootless: false,
      template: withJobNetwork(defaultJobTemplate, JSON.stringify(jobs?.network)),
    });
    expect(spec.network.egressProxy).toMatchObject({ mode: "ask", askTimeoutSeconds: 30 });
    expect(() =>
      parseTemplate(
        withJobs("coder", "  enabled: true\n  network:\n    profile: none\n    mode: ask\n"),
        "t.yaml",
      ),
    ).toThrow(/egress mode ask needs the restricted or devops profile/);
  });
});

describe("describeAgentJobs", () => {
  it("says how many, how often, on which workspace and what they reach", () => {
    expect(describeAgentJobs(policy({ maxConcurrent: 2, maxPerHour: 20, workspace: "agent" }))).toBe(
      'start up to 2 Claude Code jobs at a time (20 an hour, job template "default") on its workspace; they reach only the model gateway',
    );
    expect(describeAgentJobs(policy())).toBe(
      'start up to 1 Claude Code job at a time (10 an hour, job template "default") each session in a fresh workspace; they reach only the model gateway',
    );
    expect(
      describeAgentJobs(
        policy({ template: "big", network: { profile: "restricted", allow: ["github.com", "pypi.org"] } }),
      ),
    ).toBe(
      'start up to 1 Claude Code job at a time (10 an hour, job template "big") each session in a fresh workspace; they reach only the model gateway and github.com, pypi.org through the egress proxy',
    );
    expect(describeAgentJobs(policy({ network: { profile: "full", allow: [] } }))).toMatch(
      /; they reach the whole network$/,
    );
  });
});

describe("explainPolicy's Claude Code jobs", () => {
  it("says what an agent with jobs can and cannot do", () => {
    const { explanation, section } = jobsSectionOf(builtinTemplate("coder"));
    expect(section).toEqual({
      title: "Claude Code jobs",
      can: [
        'start up to 2 Claude Code jobs at a time (20 an hour, job template "default") on its workspace; they reach only the model gateway',
        "see, page through and cancel the jobs it started, and no one else's",
      ],
      cannot: [
        "start more than 2 at a time or 20 an hour",
        "reach any other panel function through its agent API, or give its jobs a credential: the model gateway adds it",
      ],
      warnings: [],
    });
    // The claude_code_* tools are told once, in that section, not as tools of their own.
    const tools = explanation.sections.find((s) => s.title === "Tools");
    expect(tools?.can.join("\n")).not.toMatch(/claude_code/);
    expect(tools?.can).toContain("use web_fetch");
  });

  it.each(["reviewer", "security"])("says %s cannot start jobs", (name) => {
    expect(jobsSectionOf(builtinTemplate(name)).section).toEqual({
      title: "Claude Code jobs",
      can: [],
      cannot: ["start Claude Code jobs: its policy allows none (it has no agent API socket)"],
      warnings: [],
    });
  });

  it("does not report the hooks token as a secret the agent can read, and still reports the template's", () => {
    const template = builtinTemplate("coder");
    expect(jobsSectionOf(template).explanation.sections.map((s) => s.title)).not.toContain("Secrets");
    template.container.secrets = [{ env: "GITHUB_TOKEN", secret: "github-token" }];
    const { explanation } = jobsSectionOf(template);
    expect(compile(template).containerSpec.secretEnv).toEqual([
      "CLAW_HOOKS_TOKEN",
      "GITHUB_TOKEN",
      "OPENCLAW_GATEWAY_TOKEN",
    ]);
    const secrets = explanation.sections.find((s) => s.title === "Secrets");
    expect(secrets?.warnings).toEqual(["the agent can read GITHUB_TOKEN"]);
    expect(secrets?.can).toHaveLength(1);
    expect(JSON.stringify(explanation)).not.toMatch(/CLAW_HOOKS_TOKEN|OPENCLAW_GATEWAY_TOKEN/);
  });
});
