import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../server/routers/root";
import { exitCodes, type PanelClient } from "./panel-client";

type Outputs = inferRouterOutputs<AppRouter>;
export type CommandResult = { exitCode: number; json: unknown; text: string };

const mark = { ok: " ok ", warn: "WARN", fail: "FAIL" } as const;

export function formatDoctor(checks: Outputs["doctor"]["run"]): string {
  const width = Math.max(...checks.map((check) => check.title.length));
  return checks
    .map((check) => {
      const line = `${mark[check.status]}  ${check.title.padEnd(width)}  ${check.detail}`;
      return check.fix ? `${line}\n      ${" ".repeat(width)}  fix: ${check.fix}` : line;
    })
    .join("\n");
}

export function formatStatus(status: Outputs["system"]["status"]): string {
  const { panel, podman } = status;
  const lines = [
    `Panel   running  v${panel.version}  ${panel.url}  up ${panel.uptimeSeconds} s`,
    `        state: ${panel.home}`,
  ];
  if (!podman.reachable) {
    lines.push(`Podman  NOT REACHABLE  ${podman.error?.message ?? ""}`);
    if (podman.error?.fix) lines.push(`        fix: ${podman.error.fix}`);
    return lines.join("\n");
  }
  const mode = podman.rootless === undefined ? "" : podman.rootless ? "rootless" : "rootful";
  lines.push(
    `Podman  connected  ${podman.version ?? "?"}  ${mode}  cgroups ${podman.cgroupVersion ?? "?"}  ${podman.ociRuntime ?? "?"}`,
    `        socket: ${podman.socketPath ?? "?"} (${podman.source ?? "?"})`,
  );
  if (podman.containers)
    lines.push(`        containers: ${podman.containers.running} running of ${podman.containers.total}`);
  lines.push(
    `        host workaround: ${podman.workaround.active ? `active (${podman.workaround.reasons.join("; ")})` : "not needed"}`,
  );
  return lines.join("\n");
}

export const commands: Record<
  string,
  { summary: string; run: (client: PanelClient) => Promise<CommandResult> }
> = {
  status: {
    summary: "the panel and Podman at a glance",
    async run(client) {
      const status = await client.system.status.query();
      return {
        exitCode: status.podman.reachable ? exitCodes.ok : exitCodes.failed,
        json: status,
        text: formatStatus(status),
      };
    },
  },
  doctor: {
    summary: "check this host; exits 1 when a check fails",
    async run(client) {
      const checks = await client.doctor.run.query();
      const failed = checks.some((check) => check.status === "fail");
      return { exitCode: failed ? exitCodes.failed : exitCodes.ok, json: checks, text: formatDoctor(checks) };
    },
  },
};
