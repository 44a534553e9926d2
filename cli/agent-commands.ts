import { CliError, exitCodes } from "./cli-error";
import { type Asked, type Command, firstArg, panelCommand, type RouterOutputs, sleep } from "./command";
import { runInteractive } from "./interactive-terminal";
import { mib, print } from "./output";
import type { PanelClient } from "./panel-client";

type AgentList = RouterOutputs["agents"]["list"];
type ListedAgent = AgentList["agents"][number];
/** What `agents list` shows of the list. */
export type AgentTable = Pick<AgentList, "podman"> &
  Partial<Pick<AgentList, "freshAt">> & {
    agents: (Pick<ListedAgent, "name" | "template" | "networkProfile" | "live"> & {
      model?: ListedAgent["model"];
    })[];
    orphans: Pick<AgentList["orphans"][number], "name" | "state">[];
  };

export function formatUptime(startedAt: string | null, now = Date.now()): string {
  if (!startedAt) return "";
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Pure: whether the agent's model can be reached (its route exists and its secret is set). */
export const hasModel = (model: ListedAgent["model"] | undefined) =>
  !model || (model.route !== null && model.missingSecret === null);

/** "ready" / "no model" (ready, but its model key is not set) / "starting" / "stopped" / "exited 78" … */
export function stateText(live: ListedAgent["live"], model?: ListedAgent["model"]): string {
  if (!live) return "unknown";
  if (live.state === "running") return live.ready ? (hasModel(model) ? "ready" : "no model") : "starting";
  if (live.state === "exited") return `exited ${live.exitCode ?? ""}`.trim();
  return live.state;
}

export function formatAgents(list: AgentTable, now = Date.now()): string {
  if (list.agents.length === 0) return "no agents yet: claw agents create --template coder --name my-coder";
  const rows = list.agents.map((agent) => {
    const live = agent.live;
    const usage =
      live?.state === "running" && live.memoryBytes !== null
        ? `${(live.cpuPercent ?? 0).toFixed(1)}% ${mib(live.memoryBytes)}`
        : "";
    return `${agent.name.padEnd(20)} ${stateText(live, agent.model).padEnd(10)} ${agent.template.padEnd(10)} ${agent.networkProfile.padEnd(10)} ${formatUptime(live?.state === "running" ? live.startedAt : null, now).padEnd(8)} ${usage}`.trimEnd();
  });
  const lines = [
    `${"NAME".padEnd(20)} ${"STATUS".padEnd(10)} ${"TEMPLATE".padEnd(10)} ${"NETWORK".padEnd(10)} ${"UPTIME".padEnd(8)} CPU/MEM`,
    ...rows,
  ];
  for (const agent of list.agents)
    if (!hasModel(agent.model)) lines.push(`${agent.name} has no model: ${agent.model?.fix}`);
  if (!list.podman.reachable) {
    // The error already names the outage ("Podman is not reachable at …" / "… not answering …").
    const asOf = list.freshAt ? `, as of ${new Date(list.freshAt).toLocaleTimeString()}` : "";
    lines.push(`${list.podman.error ?? "Podman is not reachable"}. States are the last known${asOf}.`);
  }
  for (const orphan of list.orphans) {
    lines.push(`orphan container ${orphan.name} (${orphan.state}) of no agent: remove it on the Agents page`);
  }
  return lines.join("\n");
}

/** Pure: the index in `batch` after the last lines already printed (the whole batch when none match). */
export function continuationIndex(printed: string[], batch: string[]): number {
  if (printed.length === 0) return 0;
  for (let end = batch.length; end >= printed.length; end--) {
    if (printed.every((line, i) => batch[end - printed.length + i] === line)) return end;
  }
  return 0;
}

/** Waits until the Gateway answers through the panel, or the container stops. */
async function waitReady(client: PanelClient, agent: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await client.agents.refresh.mutate();
    const listed = (await client.agents.list.query()).agents.find((a) => a.name === agent);
    const live = listed?.live;
    if (live?.state === "running" && live.ready) return { live, model: listed?.model ?? null };
    if (live && live.state !== "running") {
      throw new CliError(
        `${agent} stopped before its Gateway was ready (${stateText(live)}); see claw agents logs ${agent}`,
        exitCodes.failed,
      );
    }
    await sleep(1000);
  }
  throw new CliError(
    `${agent}'s Gateway did not answer within ${timeoutMs / 1000} s; see claw agents logs ${agent}`,
    exitCodes.failed,
  );
}

/** A start's or restart's answer, with the agent's live state once its Gateway is ready (null with --no-wait). */
async function withGateway<Result extends object>({ client, options, args }: Asked, result: Result) {
  const ready = options.noWait ? null : await waitReady(client, firstArg(args));
  return { ...result, live: ready?.live ?? null, model: ready?.model ?? null };
}

export const agentCommands: Record<string, Command> = {
  exec: {
    usage: "exec [-it] NAME [-- CMD [ARG…]]",
    summary: "run a command in a running agent (exit code passed through); -it: a shell through the panel",
    args: "rest",
    async run(panel, options, args) {
      const { client } = panel;
      const [agent = "", ...command] = args;
      if (options.interactive && options.tty) return runInteractive(panel, agent, command);
      if (command.length === 0) throw new CliError("usage: claw exec NAME -- CMD [ARG…]", exitCodes.usage);
      const result = await client.terminal.exec.mutate({ agent, command });
      if (options.json) {
        print(options, result, "");
      } else {
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        if (result.truncated) console.error("claw: output was cut at 1 MiB per stream");
      }
      return result.exitCode ?? exitCodes.failed;
    },
  },
  "agents list": panelCommand({
    usage: "agents list",
    summary: "the agents with live status, uptime, CPU and memory",
    ask: ({ client }) => client.agents.list.query(),
    text: (list) => formatAgents(list),
  }),
  "agents start": panelCommand({
    usage: "agents start NAME [--no-wait]",
    summary: "verify the lock, start the hardened container, wait for the Gateway",
    args: 1,
    async ask(asked) {
      const result = await asked.client.agents.start.mutate({ name: firstArg(asked.args) });
      if (!asked.options.json)
        console.error(
          `started ${result.name} (container ${result.containerId?.slice(0, 12)}, conformance passed); waiting for the Gateway…`,
        );
      return withGateway(asked, result);
    },
    text: ({ name, live, model }) =>
      !live
        ? `${name} started`
        : hasModel(model ?? undefined)
          ? `${name} is ready`
          : `${name} is ready, but has no model: ${model?.fix}`,
  }),
  "agents stop": panelCommand({
    usage: "agents stop NAME",
    summary: "stop gracefully (killed after the spec's timeout)",
    args: 1,
    ask: ({ client, args }) => client.agents.stop.mutate({ name: firstArg(args) }),
    text: (result) => `stopped ${result.name} (exit code ${result.exitCode ?? "?"})`,
  }),
  "agents restart": panelCommand({
    usage: "agents restart NAME",
    summary: "stop, then start from the locked spec again",
    args: 1,
    ask: async (asked) =>
      withGateway(asked, await asked.client.agents.restart.mutate({ name: firstArg(asked.args) })),
    text: ({ name, live, model }) =>
      `restarted ${name}${live ? (hasModel(model ?? undefined) ? "; ready" : `; ready, but has no model: ${model?.fix}`) : ""}`,
  }),
  "agents delete": panelCommand({
    usage: "agents delete NAME [--force]",
    summary: "remove the container and move the agent's files to the trash",
    args: 1,
    ask: ({ client, options, args }) =>
      client.agents.delete.mutate({ name: firstArg(args), force: options.force ?? false }),
    text: (result) => `deleted ${result.name}; its files are in ${result.trash}`,
  }),
  "agents inspect": panelCommand({
    usage: "agents inspect NAME",
    summary: "the live container: state, security settings, mounts, limits",
    args: 1,
    ask: ({ client, args }) => client.agents.inspect.query({ name: firstArg(args) }),
    text(info) {
      const c = info.container;
      if (!c) return `${info.agent.name} has no container (never started, or removed)`;
      return [
        `${info.agent.name}: ${c.state}${c.running ? ` since ${c.startedAt}` : ` (exit code ${c.exitCode})`}, ${info.live?.ready ? "ready" : "not ready"}`,
        `container ${c.name} ${c.id.slice(0, 12)}  image ${c.image} (${c.imageId.slice(0, 12)})`,
        `user ${c.user}  userns ${c.security.usernsMode || "private"} ${c.security.idMappings?.UidMap?.join(",") ?? ""}`,
        `read-only root ${c.security.readOnlyRootfs}  cap-add ${c.security.capAdd.join(",") || "none"}  ${c.security.securityOpt.join(",")}`,
        `network ${c.network}  published ports ${c.ports.join(",") || "none"}`,
        `memory ${mib(c.limits.memoryBytes)}  cpus ${c.limits.nanoCpus / 1e9}  pids ${c.limits.pidsLimit}`,
        "mounts:",
        ...c.mounts.map((m) => `  ${m.target.padEnd(28)} ${m.rw ? "rw" : "ro"}  ${m.type} ${m.source}`),
      ].join("\n");
    },
  }),
  "agents logs": {
    usage: "agents logs NAME [-f] [-n LINES]",
    summary: "the container's output; -f keeps following",
    args: 1,
    async run({ client }, options, args) {
      const tail = options.lines ? Number(options.lines) : 200;
      if (!Number.isInteger(tail) || tail < 1)
        throw new CliError("-n takes a positive number", exitCodes.usage);
      let { lines } = await client.agents.logs.query({ name: firstArg(args), tail });
      if (options.json && !options.follow) {
        print(options, lines, "");
        return exitCodes.ok;
      }
      // Podman's timestamps have whole seconds only: find where the new batch continues the old one.
      let printed: string[] = [];
      for (;;) {
        const fresh = lines.slice(continuationIndex(printed, lines));
        for (const line of fresh) console.log(options.json ? JSON.stringify(line) : line);
        printed = [...printed, ...fresh].slice(-3);
        if (!options.follow) return exitCodes.ok;
        await sleep(1000);
        ({ lines } = await client.agents.logs.query({ name: firstArg(args), tail: 500 }));
      }
    },
  },
};
