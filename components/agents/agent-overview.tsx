import { mib, since } from "@/components/format";
import { Badge, Card, DataTable, Facts } from "@/components/ui";
import { AgentModelCard } from "./agent-model-card";
import {
  type AgentContainer,
  type AgentInspect,
  type AgentLive,
  type AgentModel,
  shortImage,
} from "./agent-types";

const mono = "break-all font-mono text-xs";

/** `0:100000:65536` (container:host:size) → "0–65535 → host 100000–165535". */
export function describeIdMap(entry: string): string {
  const [container, host, size] = entry.split(":").map(Number);
  if (container === undefined || host === undefined || !size || [container, host, size].some(Number.isNaN))
    return entry;
  return `${container}–${container + size - 1} → host ${host}–${host + size - 1}`;
}

function flag(value: boolean, good: boolean) {
  return <Badge tone={value === good ? "ok" : "fail"}>{String(value)}</Badge>;
}

function list(values: string[], empty: string) {
  if (values.length === 0) return <span className="text-zinc-500">{empty}</span>;
  return (
    <ul className="space-y-0.5">
      {values.map((value) => (
        <li key={value} className={mono}>
          {value}
        </li>
      ))}
    </ul>
  );
}

function cpus(nanoCpus: number): string {
  return `${(nanoCpus / 1e9).toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
}

function userns(container: AgentContainer) {
  const { usernsMode, idMappings } = container.security;
  const uid = idMappings?.UidMap ?? [];
  const gid = idMappings?.GidMap ?? [];
  return (
    <div className="space-y-0.5">
      <div className={mono}>{usernsMode || "host"}</div>
      {uid.map((entry) => (
        <div key={`u${entry}`} className="text-xs">
          uid {describeIdMap(entry)}
        </div>
      ))}
      {gid.map((entry) => (
        <div key={`g${entry}`} className="text-xs">
          gid {describeIdMap(entry)}
        </div>
      ))}
    </div>
  );
}

type MountRow = { target: string; source: string; type: string; access: string; purpose: string };

function mountRows(inspect: AgentInspect): MountRow[] {
  const purposeOf = new Map(inspect.spec.mounts.map((mount) => [mount.target, mount.purpose]));
  const rows: MountRow[] = inspect.container
    ? inspect.container.mounts.map((mount) => ({
        target: mount.target,
        source: mount.source,
        type: mount.type,
        access: mount.rw ? "read-write" : "read-only",
        purpose: purposeOf.get(mount.target) ?? "",
      }))
    : inspect.spec.mounts.map((mount) => ({
        target: mount.target,
        source: `agents/${inspect.agent.name}/${mount.source}`,
        type: "bind",
        access: mount.readOnly ? "read-only" : "read-write",
        purpose: mount.purpose,
      }));
  const seen = new Set(rows.map((row) => row.target));
  for (const [target, options] of Object.entries(inspect.spec.tmpfs)) {
    if (seen.has(target)) continue;
    rows.push({
      target,
      source: "(memory)",
      type: "tmpfs",
      access: options.split(",").join(", "),
      purpose: "scratch space, gone at stop",
    });
  }
  return rows.sort((a, b) => a.target.localeCompare(b.target));
}

function MountsTable({ inspect }: { inspect: AgentInspect }) {
  return (
    <DataTable label="Mounts" columns={["In the container", "From", "Type", "Access", "Purpose"]}>
      {mountRows(inspect).map((row) => (
        <tr key={row.target} className="align-top">
          <td className="whitespace-nowrap py-2 pr-3 font-mono text-xs">{row.target}</td>
          <td className={`py-2 pr-3 ${mono}`}>{row.source}</td>
          <td className="py-2 pr-3">{row.type}</td>
          <td className="py-2 pr-3">
            {row.access === "read-write" ? (
              <Badge tone="warn">read-write</Badge>
            ) : row.access === "read-only" ? (
              <Badge tone="ok">read-only</Badge>
            ) : (
              <span className="font-mono text-xs">{row.access}</span>
            )}
          </td>
          <td className="py-2 text-zinc-600 dark:text-zinc-400">{row.purpose}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** What the container does now: its live figures and the clock its times are read against. */
type LiveProps = { live: AgentLive | null; now: number };

function ContainerFacts({ container, live, now }: LiveProps & { container: AgentContainer }) {
  const running = container.running;
  return (
    <Facts
      rows={[
        [
          "Container",
          <span key="c" className={mono} title={container.id}>
            {container.name.replace(/^\//, "")} ({container.id.slice(0, 12)})
          </span>,
        ],
        [
          "Image",
          <span key="i" className={mono} title={container.imageId}>
            {shortImage(container.image)}
          </span>,
        ],
        [
          "State",
          <span key="s">
            {container.state}
            {!running && container.exitCode !== null ? `, exit code ${container.exitCode}` : ""}
            {container.oomKilled ? " (killed: out of memory)" : ""}
          </span>,
        ],
        [
          "Started",
          container.startedAt && !container.startedAt.startsWith("0001")
            ? `${new Date(container.startedAt).toLocaleString()}${running ? ` (up ${since(container.startedAt, now)})` : ""}`
            : "never",
        ],
        ...(running
          ? ([
              ["CPU", live?.cpuPercent != null ? `${live.cpuPercent.toFixed(1)} %` : "—"],
              ["Memory used", live?.memoryBytes != null ? mib(live.memoryBytes) : "—"],
            ] as [string, string][])
          : []),
        [
          "User",
          <span key="u" className={mono}>
            {container.user || "(image default)"}
          </span>,
        ],
        ["User namespace", userns(container)],
        ["Read-only root", flag(container.security.readOnlyRootfs, true)],
        ["Privileged", flag(container.security.privileged, false)],
        ["Capabilities added", list(container.security.capAdd, "none (all dropped)")],
        ["Security options", list(container.security.securityOpt, "none")],
        [
          "Network",
          <span key="n" className={mono}>
            {container.network}
          </span>,
        ],
        ["Published ports", container.ports.length ? container.ports.join(", ") : "none"],
        [
          "Hostname",
          <span key="h" className={mono}>
            {container.hostname}
          </span>,
        ],
      ]}
    />
  );
}

function Limits({ inspect }: { inspect: AgentInspect }) {
  const limits = inspect.container?.limits;
  const spec = inspect.spec.resources;
  const memory = limits?.memoryBytes || spec.memoryBytes;
  const swap = limits?.memorySwapBytes ?? spec.memorySwapBytes;
  // Podman sets the CPU limit as a quota, in which case NanoCpus reads 0: the spec has the figure.
  const nanoCpus = limits?.nanoCpus || spec.nanoCpus;
  const pids = limits?.pidsLimit || spec.pidsLimit;
  return (
    <Facts
      rows={[
        ["Memory", memory ? mib(memory) : "unlimited"],
        ["Swap", swap === memory ? "none" : swap < 0 ? "unlimited" : mib(swap - memory)],
        ["CPUs", nanoCpus ? cpus(nanoCpus) : "unlimited"],
        ["Processes", pids ? pids.toLocaleString() : "unlimited"],
        ["Stop timeout", `${inspect.spec.stopTimeoutSeconds} s, then killed`],
      ]}
    />
  );
}

function SpecFacts({ inspect }: { inspect: AgentInspect }) {
  const { spec } = inspect;
  return (
    <Facts
      rows={[
        [
          "Container",
          <span key="c" className={mono}>
            {spec.containerName}
          </span>,
        ],
        [
          "Image",
          <span key="i" className={mono} title={spec.image.digest}>
            {shortImage(spec.image.ref)}
          </span>,
        ],
        [
          "User",
          <span key="u" className={mono}>
            {spec.user}
          </span>,
        ],
        ["Read-only root", flag(true, true)],
        [
          "Network",
          <span key="n" className={mono}>
            {spec.network.mode}
          </span>,
        ],
        ["Published ports", "none"],
      ]}
    />
  );
}

export function AgentOverview({
  inspect,
  live,
  now,
  model = inspect.model,
}: LiveProps & {
  inspect: AgentInspect;
  /** The model's readiness as last polled (the list's); inspect's is read once. */
  model?: AgentModel;
}) {
  const container = inspect.container;
  return (
    <div className="space-y-6">
      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Card title="Container">
          {container ? (
            <ContainerFacts container={container} live={live} now={now} />
          ) : (
            <div className="space-y-4">
              <p className="text-sm">
                <strong>
                  {live?.state === "missing"
                    ? "Its container was removed outside the panel."
                    : "Not started yet."}
                </strong>{" "}
                <span className="text-zinc-600 dark:text-zinc-400">
                  When it starts, the container is created from the locked spec:
                </span>
              </p>
              <SpecFacts inspect={inspect} />
            </div>
          )}
        </Card>
        <div className="space-y-6">
          <Card title="Limits">
            <Limits inspect={inspect} />
          </Card>
          <AgentModelCard name={inspect.agent.name} model={model} />
        </div>
      </div>
      <Card title="Mounts">
        <MountsTable inspect={inspect} />
      </Card>
    </div>
  );
}
