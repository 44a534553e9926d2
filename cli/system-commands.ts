import { z } from "zod";
import { CliError, exitCodes } from "./cli-error";
import { type Command, panelCommand, type RouterOutputs } from "./command";

const mark = { ok: " ok ", warn: "WARN", fail: "FAIL" } as const;

export function formatDoctor(checks: RouterOutputs["doctor"]["run"]): string {
  const width = Math.max(...checks.map((check) => check.title.length));
  return checks
    .map((check) => {
      const line = `${mark[check.status]}  ${check.title.padEnd(width)}  ${check.detail}`;
      return check.fix ? `${line}\n      ${" ".repeat(width)}  fix: ${check.fix}` : line;
    })
    .join("\n");
}

export function formatStatus(status: RouterOutputs["system"]["status"]): string {
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
  const facts = [
    podman.version ?? "?",
    mode,
    `cgroups ${podman.cgroupVersion ?? "?"}`,
    podman.ociRuntime ?? "?",
  ];
  lines.push(
    `Podman  connected  ${facts.filter(Boolean).join("  ")}`,
    `        socket: ${podman.socketPath ?? "?"} (${podman.source ?? "?"})`,
  );
  if (podman.containers)
    lines.push(`        containers: ${podman.containers.running} running of ${podman.containers.total}`);
  lines.push(
    `        host workaround: ${podman.workaround.active ? `active (${podman.workaround.reasons.join("; ")})` : "not needed"}`,
  );
  return lines.join("\n");
}

const loginCodeAnswer = z.object({ url: z.string().url(), expiresAt: z.string() });

export const systemCommands: Record<string, Command> = {
  status: panelCommand({
    usage: "status",
    summary: "the panel and Podman at a glance",
    ask: ({ client }) => client.system.status.query(),
    text: (status) => formatStatus(status),
    failed: (status) => !status.podman.reachable,
  }),
  "login-url": panelCommand({
    usage: "login-url",
    summary: "a fresh login link for the browser (works once, for 10 minutes)",
    async ask({ panel }) {
      const response = await panel.fetch("/api/login-code", { method: "POST" });
      const body = loginCodeAnswer.safeParse(await response.json().catch(() => undefined));
      if (!response.ok || !body.success)
        throw new CliError(`The panel gave no login link (HTTP ${response.status})`, exitCodes.failed);
      return body.data;
    },
    text: (link) => `${link.url}\n(works once, until ${link.expiresAt})`,
  }),
  doctor: panelCommand({
    usage: "doctor",
    summary: "check this host; exits 1 when a check fails",
    ask: ({ client }) => client.doctor.run.query(),
    text: (checks) => formatDoctor(checks),
    failed: (checks) => checks.some((check) => check.status === "fail"),
  }),
};
