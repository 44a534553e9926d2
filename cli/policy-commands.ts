import { CliError, exitCodes } from "./cli-error";
import { type Command, firstArg, type RouterOutputs } from "./command";
import { print } from "./output";

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
  "templates list": {
    usage: "templates list",
    summary: "built-in and user templates",
    async run({ client }, options) {
      const templates = await client.templates.list.query();
      const text = templates
        .map((t) => {
          const source =
            t.source.kind === "builtin"
              ? "built-in"
              : `${t.source.path}${t.overrides ? " (overrides the built-in)" : ""}`;
          return t.problems.length > 0
            ? `${t.name.padEnd(12)} BROKEN  ${source}\n${t.problems.map((p) => `             ${p.source}:${p.line}:${p.column}: ${p.path} ${p.message}`).join("\n")}`
            : `${t.name.padEnd(12)} ${(t.network ?? "").padEnd(10)} ${t.description}  [${source}]`;
        })
        .join("\n");
      print(options, templates, text);
      return templates.some((t) => t.problems.length > 0) ? exitCodes.failed : exitCodes.ok;
    },
  },
  "templates show": {
    usage: "templates show NAME",
    summary: "a template's YAML",
    args: 1,
    async run({ client }, options, args) {
      const template = await client.templates.show.query({ name: firstArg(args) });
      print(options, template, template.text.trimEnd());
      return exitCodes.ok;
    },
  },
  "agents create": {
    usage: "agents create --template T --name N",
    summary: "compile a template into a signed, locked agent",
    async run({ client }, options) {
      if (!options.template || !options.name)
        throw new CliError("usage: claw agents create --template T --name N", exitCodes.usage);
      const agent = await client.agents.create.mutate({ name: options.name, template: options.template });
      print(
        options,
        agent,
        `created ${agent.name} from ${agent.template} (network ${agent.networkProfile}); lock ${agent.lockDigest}`,
      );
      return exitCodes.ok;
    },
  },
  "policy show": {
    usage: "policy show NAME",
    summary: "the agent's compiled artifacts and signed lock",
    args: 1,
    async run({ client }, options, args) {
      const policy = await client.agents.policy.query({ name: firstArg(args) });
      const text = [
        "# openclaw.json",
        policy.openclawJson ?? "(missing)",
        "# container-spec.json",
        policy.containerSpecJson ?? "(missing)",
        "# policy.lock.json (payload)",
        JSON.stringify(policy.lockPayload, null, 2),
      ].join("\n");
      print(options, policy, text);
      return exitCodes.ok;
    },
  },
  "policy explain": {
    usage: "policy explain NAME",
    summary: "what the agent can and cannot do, in plain words",
    args: 1,
    async run({ client }, options, args) {
      const policy = await client.agents.policy.query({ name: firstArg(args) });
      if (!policy.explanation)
        throw new CliError(
          "The agent's artifacts cannot be read; run claw policy validate",
          exitCodes.failed,
        );
      print(options, policy.explanation, formatExplanation(policy.explanation));
      return exitCodes.ok;
    },
  },
  "policy validate": {
    usage: "policy validate NAME",
    summary: "check the signature and every hash; exits 1 on drift",
    args: 1,
    async run({ client }, options, args) {
      const verdict = await client.agents.validate.mutate({ name: firstArg(args) });
      print(options, verdict, formatVerdict(verdict));
      return verdict.state === "ok" ? exitCodes.ok : exitCodes.failed;
    },
  },
  "policy relock": {
    usage: "policy relock NAME",
    summary: "re-compile from the template and image as they are now, and re-sign (audited)",
    args: 1,
    async run({ client }, options, args) {
      const result = await client.agents.relock.mutate({ name: firstArg(args) });
      print(
        options,
        result,
        `re-locked ${result.agent} (was ${result.stateBefore}); lock ${result.lockDigest}`,
      );
      return exitCodes.ok;
    },
  },
};
