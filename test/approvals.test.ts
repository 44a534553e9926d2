// Ask mode end to end: a real agent container whose template says `mode: ask` reaches a host off
// its allowlist through the panel's egress proxy; the proxy holds the connection, the request shows
// on the live audit socket and in the approvals inbox, and a decision made over tRPC (as the CLI
// makes it) lets the very connection through or refuses it with a reason the agent reads. The
// "internet" is a loopback server reached through names CLAW_EGRESS_RESOLVE maps to it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { networkTemplate } from "./network-template";
import { type ProxyAnswer, type ProxyRequest, requestsFromAgent } from "./proxy-requests";
import { runCli } from "./run-cli";
import {
  cliEnvOf,
  loginToPanel,
  type PanelClient,
  panelClient,
  type RunningPanel,
  startPanel,
} from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const suffix = randomBytes(3).toString("hex");
const agent = `apv-${suffix}`;
/**
 * Long enough for a request to stay held while the agent stops (the stop takes seconds, more on a
 * loaded machine); the unanswered case is asked first and checked later, so its wait overlaps the rest.
 */
const askTimeoutSeconds = 30;
/** One name per case: a decision about one host must not answer another case's question. */
const hosts = {
  allowed: "allowed.test",
  once: "once.test",
  minutes: "minutes.test",
  uses: "uses.test",
  always: "always.test",
  silent: "silent.test",
  deny: "deny.test",
  untilStop: "until-stop.test",
  heldAtStop: "held-at-stop.test",
};

type AuditEvent = { id: number; action: string; agent: string | null; details: Record<string, unknown> };

describe("ask mode: held connections, decisions and grants, against a real agent", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let server: Server;
  let port: number;
  let client: PanelClient;
  let live: WebSocket;
  const liveEvents: AuditEvent[] = [];
  let unanswered: Promise<ProxyAnswer[]>;

  const get = (host: string, path = "/", tunnel = false): ProxyRequest => ({ host, port, path, tunnel });
  const fromAgent = (...requests: ProxyRequest[]) => requestsFromAgent(env, agent, requests);
  const greeting = (host: string, path: string) => `hello-approvals ${host}:${port} ${path}`;

  const rowsFor = async (host: string) =>
    (await client.approvals.list.query({ agent, limit: 200 })).filter((row) => row.host === host);
  /** The pending request for `host`, once it was asked `asked` times and holds that many connections. */
  const pendingFor = (host: string, asked = 1) =>
    waitFor(`a pending approval for ${host} holding ${asked}`, async () =>
      (await rowsFor(host)).find(
        (row) => row.status === "pending" && row.asked >= asked && row.waiting >= asked,
      ),
    );
  const liveEvent = (what: string, match: (event: AuditEvent) => boolean) =>
    waitFor(`${what} on /ws/audit`, async () => liveEvents.find(match), 15_000);
  const auditOf = async (category: string) => {
    const tail = await runCli(
      ["audit", "tail", "--json", "-n", "200", "--category", category, "--agent", agent],
      env,
    );
    expect(tail.code, tail.stderr).toBe(0);
    return tail.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
  };
  const cli = async (...args: string[]) => {
    const run = await runCli(args, env);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };

  beforeAll(async () => {
    server = createServer((req, res) => res.end(`hello-approvals ${req.headers.host} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    panel = await startPanel({
      env: {
        CLAW_EGRESS_RESOLVE: Object.values(hosts)
          .map((host) => `${host}=127.0.0.1`)
          .join(","),
      },
    });
    env = cliEnvOf(panel);
    client = panelClient(panel);

    // The live tail is a browser's: a logged-in session over TCP, with the panel's own Origin.
    const login = await loginToPanel(panel, await panel.token());
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    live = new WebSocket(`${panel.url.replace("http", "ws")}/ws/audit?category=approval`, {
      headers: { cookie, origin: panel.url },
    });
    await new Promise<void>((resolve, reject) => {
      live.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; events?: AuditEvent[] };
        if (message.type === "ready") resolve();
        if (message.type === "events") liveEvents.push(...(message.events ?? []));
      });
      live.once("error", reject);
      live.once("unexpected-response", (_req, res) => reject(new Error(`/ws/audit: HTTP ${res.statusCode}`)));
    });

    await mkdir(join(panel.home, "templates"), { recursive: true });
    await writeFile(
      join(panel.home, "templates", "approvals-ask.yaml"),
      networkTemplate(
        "approvals-ask",
        `    profile: restricted\n    allow:\n      - ${hosts.allowed}:${port}\n    mode: ask\n    askTimeoutSeconds: ${askTimeoutSeconds}`,
        { cpus: 1 },
      ),
    );
    await cli("agents", "create", "--template", "approvals-ask", "--name", agent);
    await cli("agents", "start", agent, "--no-wait");
    // The forwarder inside starts with the container; the allowlisted host answers once it is up.
    await waitFor("the agent's proxy forwarder", async () => {
      const [answer] = await fromAgent(get(hosts.allowed, "/up")).catch(() => []);
      return answer?.status === 200 ? answer : undefined;
    });
    unanswered = fromAgent(get(hosts.silent, "/waiting"));
    unanswered.catch(() => {}); // its case reports a failure
    await pendingFor(hosts.silent);
  });
  afterAll(async () => {
    live?.close();
    await exec("podman", ["rm", "-f", `claw-agent-${agent}`]).catch(() => {});
    await panel?.stop();
    server?.close();
  });

  it("holds an unlisted host's connection, shows it live and in the inbox, collapses identical ones; allow once lets it through", async () => {
    const held = fromAgent(get(hosts.once, "/first"), get(hosts.once, "/second"));

    const requested = await liveEvent(
      "approval_requested",
      (e) => e.action === "approval_requested" && e.details.host === hosts.once,
    );
    expect(requested.agent).toBe(agent);
    expect(requested.details).toMatchObject({ host: hosts.once, port, method: "GET" });
    expect(["/first", "/second"]).toContain(requested.details.path);
    expect(requested.details.timeoutSeconds).toBe(askTimeoutSeconds);

    const row = await pendingFor(hosts.once, 2);
    expect(row).toMatchObject({ agent, port, method: "GET", asked: 2, waiting: 2, status: "pending" });
    expect(await rowsFor(hosts.once)).toHaveLength(1); // two connections, one question
    expect(requested.details.approval).toBe(row.id);
    expect((await client.approvals.pendingCount.query()).count).toBeGreaterThanOrEqual(1);

    const decided = await client.approvals.decide.mutate({ id: row.id, decision: { kind: "once" } });
    expect(decided).toMatchObject({ status: "allowed", decision: "once", channel: "cli", grantId: null });
    const answers = await held;
    expect(answers).toEqual([
      { status: 200, body: greeting(hosts.once, "/first") },
      { status: 200, body: greeting(hosts.once, "/second") },
    ]);
    await liveEvent(
      "approval_decided",
      (e) => e.action === "approval_decided" && e.details.approval === row.id && e.details.held === 2,
    );

    // Once is once: the next identical request (a CONNECT tunnel this time) is a new question.
    const again = fromAgent(get(hosts.once, "/tunnel", true));
    const second = await waitFor("a second request for once.test", async () =>
      (await rowsFor(hosts.once)).find((r) => r.status === "pending" && r.id !== row.id),
    );
    expect(second).toMatchObject({ method: "CONNECT", path: null, asked: 1 });
    await client.approvals.decide.mutate({ id: second.id, decision: { kind: "once" } });
    const [tunnelled] = await again;
    expect(tunnelled?.body).toContain("200 Connection Established");
    expect(tunnelled?.body).toContain(greeting(hosts.once, "/tunnel"));

    const allowed = await waitFor("the egress events of the allowed connections", async () => {
      const events = (await auditOf("egress")).filter(
        (e) => e.action === "egress_allowed" && e.details.host === hosts.once,
      );
      return events.length >= 3 ? events : undefined;
    });
    expect(allowed.map((e) => e.details.rule).sort()).toEqual(
      [`approval ${row.id} (once)`, `approval ${row.id} (once)`, `approval ${second.id} (once)`].sort(),
    );
  });

  it("a grant for minutes lets later connections through without asking, until its time", async () => {
    const held = fromAgent(get(hosts.minutes, "/held"));
    const row = await pendingFor(hosts.minutes);
    const decidedAt = Date.now();
    const decided = await client.approvals.decide.mutate({
      id: row.id,
      decision: { kind: "minutes", minutes: 1 },
    });
    expect((await held)[0]).toEqual({ status: 200, body: greeting(hosts.minutes, "/held") });

    const later = await fromAgent(get(hosts.minutes, "/later"), get(hosts.minutes, "/tunnel", true));
    expect(later[0]).toEqual({ status: 200, body: greeting(hosts.minutes, "/later") });
    expect(later[1]?.body).toContain(greeting(hosts.minutes, "/tunnel"));
    expect(await rowsFor(hosts.minutes)).toHaveLength(1); // nothing asked again

    const grant = (await client.approvals.grants.query({ agent })).find((g) => g.host === hosts.minutes);
    expect(grant).toMatchObject({ id: decided.grantId, kind: "minutes", port, used: 3, usesLeft: null });
    const ahead = new Date(grant?.expiresAt ?? 0).getTime() - decidedAt;
    expect(ahead).toBeGreaterThan(50_000);
    expect(ahead).toBeLessThanOrEqual(61_000);
    const used = (await auditOf("approval")).filter(
      (e) => e.action === "approval_grant_used" && e.details.grant === grant?.id,
    );
    expect(used).toHaveLength(2);
  });

  it("a grant for two uses covers the held connection and one more; the third asks again", async () => {
    const held = fromAgent(get(hosts.uses, "/one"));
    const row = await pendingFor(hosts.uses);
    const decided = await client.approvals.decide.mutate({ id: row.id, decision: { kind: "uses", uses: 2 } });
    expect((await held)[0]).toEqual({ status: 200, body: greeting(hosts.uses, "/one") });
    expect((await fromAgent(get(hosts.uses, "/two")))[0]).toEqual({
      status: 200,
      body: greeting(hosts.uses, "/two"),
    });

    const ended = await liveEvent(
      "the used-up grant's end",
      (e) => e.action === "approval_grant_ended" && e.details.grant === decided.grantId,
    );
    expect(ended.details).toMatchObject({ reason: "used_up", host: hosts.uses, kind: "uses" });
    const grant = (await client.approvals.grants.query({ agent, ended: true })).find(
      (g) => g.id === decided.grantId,
    );
    expect(grant).toMatchObject({ usesLeft: 0, used: 2, endReason: "used_up" });
    expect(grant?.endedAt).toBeTruthy();

    const third = fromAgent(get(hosts.uses, "/three"));
    const asked = await waitFor("the third connection's question", async () =>
      (await rowsFor(hosts.uses)).find((r) => r.status === "pending" && r.id !== row.id),
    );
    await client.approvals.decide.mutate({ id: asked.id, decision: { kind: "deny" } });
    const [refused] = await third;
    expect(refused?.status).toBe(403);
    expect(refused?.body).toBe(`claw egress: a person denied ${hosts.uses}:${port}\n`);
  });

  it("always writes the host into the agent's own template copy, re-locks it, and lets the connection through", async () => {
    const held = fromAgent(get(hosts.always, "/always"));
    const row = await pendingFor(hosts.always);
    await client.approvals.decide.mutate({ id: row.id, decision: { kind: "always" } });
    expect((await held)[0]).toEqual({ status: 200, body: greeting(hosts.always, "/always") });

    const entry = `${hosts.always}:${port}`;
    const own = await readFile(join(panel.home, "agents", agent, "own-template.yaml"), "utf8");
    expect(own).toContain("mode: ask");
    expect(own).toMatch(new RegExp(`allow:\\n\\s+- ${hosts.allowed}:${port}\\n\\s+- ${entry}\\n`));
    const spec = JSON.parse(
      await readFile(join(panel.home, "agents", agent, "container-spec.json"), "utf8"),
    ) as { network: { allow: string[] } };
    expect(spec.network.allow).toContain(entry);
    expect(await cli("policy", "explain", agent)).toContain(hosts.always);
    expect(await cli("policy", "validate", agent)).toContain(`ok: ${agent}'s policy matches its signed lock`);

    const policy = await auditOf("policy");
    expect(policy.find((e) => e.action === "policy_network_changed")?.details).toMatchObject({
      why: `approval ${row.id}`,
      added: [entry],
      after: [`${hosts.allowed}:${port}`, entry],
    });
    expect(policy.some((e) => e.action === "policy_relocked")).toBe(true);
    const decided = await liveEvent(
      "approval_decided always",
      (e) => e.action === "approval_decided" && e.details.approval === row.id,
    );
    expect(decided.details).toMatchObject({
      decision: "always",
      policyAfter: [`${hosts.allowed}:${port}`, entry],
    });

    expect((await fromAgent(get(hosts.always, "/again")))[0]?.status).toBe(200);
    expect(await rowsFor(hosts.always)).toHaveLength(1);
  });

  it("nobody answers: the connection gets a 403 that says so and how to allow it; the request expires", async () => {
    const [answer] = await unanswered; // asked before the first case
    const [row] = await rowsFor(hosts.silent);
    expect(row).toMatchObject({ status: "expired", decision: "timeout", decidedBy: "system" });
    expect(answer?.status).toBe(403);
    expect(answer?.body).toContain(`${hosts.silent}:${port} is not in this agent's allowlist`);
    expect(answer?.body).toContain(`nobody answered its approval request ${row?.id} in time`);
    expect(answer?.body).toContain(`claw approvals allow ${row?.id}`);
    const expired = await liveEvent(
      "approval_expired",
      (e) => e.action === "approval_expired" && e.details.approval === row?.id,
    );
    expect(expired.details).toMatchObject({
      host: hosts.silent,
      reason: `nobody answered within ${askTimeoutSeconds} s`,
      held: 1,
    });
    await expect(
      client.approvals.decide.mutate({ id: row?.id ?? "", decision: { kind: "once" } }),
    ).rejects.toThrow(/already closed/);

    // Late, a grant still helps: the agent's next try goes through without a new question.
    const late = await client.approvals.decide.mutate({
      id: row?.id ?? "",
      decision: { kind: "uses", uses: 1 },
    });
    expect(late).toMatchObject({ status: "allowed", decision: "uses" });
    expect((await fromAgent(get(hosts.silent, "/retry")))[0]).toEqual({
      status: 200,
      body: greeting(hosts.silent, "/retry"),
    });
    expect(await rowsFor(hosts.silent)).toHaveLength(1);
  });

  it("a denial's reason reaches the agent in its 403", async () => {
    const held = fromAgent(get(hosts.deny, "/secret"));
    const row = await pendingFor(hosts.deny);
    const reason = "this task needs no upload site";
    await client.approvals.decide.mutate({ id: row.id, decision: { kind: "deny", reason } });
    const [answer] = await held;
    expect(answer).toEqual({
      status: 403,
      body: `claw egress: a person denied ${hosts.deny}:${port}: ${reason}\n`,
    });
    expect((await client.approvals.get.query({ id: row.id })).reason).toBe(reason);
  });

  it("never asks about a name of this machine or a private network", async () => {
    // localhost is not a trusted CLAW_EGRESS_RESOLVE name: a local name, refused without resolving it.
    const answers = await fromAgent(get("localhost", "/private"), get("127.0.0.1", "/literal"));
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("this machine or a private network (never asked about)");
    }
    expect(await rowsFor("localhost")).toEqual([]);
    expect(await rowsFor("127.0.0.1")).toEqual([]);
    const denied = await waitFor("the private address's denial", async () =>
      (await auditOf("egress")).find((e) => e.action === "egress_denied" && e.details.host === "localhost"),
    );
    expect(String(denied.details.reason)).toContain("private network");
  });

  it("stopping the agent refuses its held requests and ends its until-stop grants, not its timed ones", async () => {
    const granted = fromAgent(get(hosts.untilStop, "/granted"));
    const row = await pendingFor(hosts.untilStop);
    const decided = await client.approvals.decide.mutate({ id: row.id, decision: { kind: "until_stop" } });
    expect((await granted)[0]).toEqual({ status: 200, body: greeting(hosts.untilStop, "/granted") });

    // A request still waiting when the agent stops: its connection dies with the container.
    const waiting = fromAgent(get(hosts.heldAtStop, "/held")).catch((error: Error) => error);
    const heldRow = await pendingFor(hosts.heldAtStop);
    await cli("agents", "stop", agent);
    await waiting;

    expect(await client.approvals.get.query({ id: heldRow.id })).toMatchObject({
      status: "expired",
      decision: "stopped",
      waiting: 0,
    });
    const expired = await liveEvent(
      "the held request's end",
      (e) => e.action === "approval_expired" && e.details.approval === heldRow.id,
    );
    expect(expired.details).toMatchObject({ reason: `${agent} stopped`, host: hosts.heldAtStop });
    const ended = await liveEvent(
      "the until-stop grant's end",
      (e) => e.action === "approval_grant_ended" && e.details.grant === decided.grantId,
    );
    expect(ended.details).toMatchObject({ reason: "stopped", kind: "until_stop" });

    // Always's grant is an until-stop one too; a grant for minutes counts on (or ran out by now).
    const stillCounting = await client.approvals.grants.query({ agent });
    expect(stillCounting.filter((g) => g.kind !== "minutes")).toEqual([]);
    const timed = (await client.approvals.grants.query({ agent, ended: true })).find(
      (g) => g.kind === "minutes",
    );
    expect(timed?.endReason ?? "counting").not.toBe("stopped");
    expect((await client.approvals.pendingCount.query()).count).toBe(0);
  });
});
