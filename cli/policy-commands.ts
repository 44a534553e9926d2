import { CliError, exitCodes } from "./cli-error";
import { type Command, firstArg, panelCommand, type RouterOutputs } from "./command";

export function formatExplanation(
  explanation: NonNullable<RouterOutputs["agents"]["policy"]["explanation"]>,
): string {
  const lines = [explanation.summary, ""];
  for (const section of explanation.sections) {
    lines.push(`${section.title}:`);
    for (const item of section.can) lines.push(`  can     ${item}`);
    for (const item of section.cannot) lines.push(`  cannot  ${item}`);
    for (const item of section.warnings) lines.push(`  NOTE    ${item}`);
  }
  return lines.join("\n");
}

export function formatVerdict(
  verdict: Pick<RouterOutputs["agents"]["validate"], "agent" | "state" | "findings" | "lockedAt">,
): string {
  if (verdict.state === "ok")
    return `ok: ${verdict.agent}'s policy matches its signed lock (locked ${verdict.lockedAt})`;
  return [
    `${verdict.state.toUpperCase()}: ${verdict.agent}`,
    ...verdict.findings.map((finding) => `  ${finding.message}`),
  ].join("\n");
}

export const policyCommands: Record<string, Command> = {
  "templates list": panelCommand({
    usage: "templates list",
    summary: "built-in and user templates",
    ask: ({ client }) => client.templates.list.query(),
    text: (templates) =>
      templates
        .map((t) => {
          const source =
            t.source.kind === "builtin"
              ? "built-in"
              : `${t.source.path}${t.overrides ? " (overrides the built-in)" : ""}`;
          return t.problems.length > 0
            ? `${t.name.padEnd(12)} BROKEN  ${source}\n${t.problems.map((p) => `             ${p.source}:${p.line}:${p.column}: ${p.path} ${p.message}`).join("\n")}`
            : `${t.name.padEnd(12)} ${(t.network ?? "").padEnd(10)} ${t.description}  [${source}]`;
        })
        .join("\n"),
    failed: (templates) => templates.some((t) => t.problems.length > 0),
  }),
  "templates show": panelCommand({
    usage: "templates show NAME",
    summary: "a template's YAML",
    args: 1,
    ask: ({ client, args }) => client.templates.show.query({ name: firstArg(args) }),
    text: (template) => template.text.trimEnd(),
  }),
  "agents create": panelCommand({
    usage: "agents create --template T --name N",
    summary: "compile a template into a signed, locked agent",
    async ask({ client, options }) {
      if (!options.template || !options.name)
        throw new CliError("usage: claw agents create --template T --name N", exitCodes.usage);
      return client.agents.create.mutate({ name: options.name, template: options.template });
    },
    text: (agent) =>
      `created ${agent.name} from ${agent.template} (network ${agent.networkProfile}); lock ${agent.lockDigest}`,
  }),
  "policy show": panelCommand({
    usage: "policy show NAME",
    summary: "the agent's compiled artifacts and signed lock",
    args: 1,
    ask: ({ client, args }) => client.agents.policy.query({ name: firstArg(args) }),
    text: (policy) =>
      [
        "# openclaw.json",
        policy.openclawJson ?? "(missing)",
        "# container-spec.json",
        policy.containerSpecJson ?? "(missing)",
        "# policy.lock.json (payload)",
        JSON.stringify(policy.lockPayload, null, 2),
      ].join("\n"),
  }),
  "policy explain": panelCommand({
    usage: "policy explain NAME",
    summary: "what the agent can and cannot do, in plain words",
    args: 1,
    async ask({ client, args }) {
      const policy = await client.agents.policy.query({ name: firstArg(args) });
      if (!policy.explanation)
        throw new CliError(
          "The agent's artifacts cannot be read; run claw policy validate",
          exitCodes.failed,
        );
      return policy.explanation;
    },
    text: (explanation) => formatExplanation(explanation),
  }),
  "policy validate": panelCommand({
    usage: "policy validate NAME",
    summary: "check the signature and every hash; exits 1 on drift",
    args: 1,
    ask: ({ client, args }) => client.agents.validate.mutate({ name: firstArg(args) }),
    text: (verdict) => formatVerdict(verdict),
    failed: (verdict) => verdict.state !== "ok",
  }),
  "policy relock": panelCommand({
    usage: "policy relock NAME",
    summary: "re-compile from the template and image as they are now, and re-sign (audited)",
    args: 1,
    ask: ({ client, args }) => client.agents.relock.mutate({ name: firstArg(args) }),
    text: (result) => `re-locked ${result.agent} (was ${result.stateBefore}); lock ${result.lockDigest}`,
  }),
};
