import { mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

const codeOf = (text: string) => /\/login#code=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? "";

/** Opens a WebSocket and reports how the panel answered: opened and closed with a code, or refused. */
function webSocketOutcome(url: string, options: WebSocket.ClientOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on("unexpected-response", (_req, res) => {
      resolve(`refused ${res.statusCode}`);
      ws.terminate();
    });
    ws.on("close", (code) => resolve(`closed ${code}`));
    ws.on("error", (error) => resolve(`error ${error.message}`));
  });
}

describe("the panel process", () => {
  let panel: RunningPanel;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    panel = await startPanel();
    cliEnv = cliEnvOf(panel);
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("creates a private CLAW_HOME, a 0600 socket and a migrated database, and prints a one-time login link", async () => {
    expect((await stat(panel.home)).mode & 0o777).toBe(0o700);
    expect((await stat(join(panel.home, "claw.db"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(panel.home, "run"))).mode & 0o777).toBe(0o700);
    const socket = await stat(panel.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    await expect(stat(join(panel.home, "panel-token"))).rejects.toThrow(/ENOENT/);
    expect(panel.output()).toContain(`claw: log in at http://127.0.0.1:${panel.port}/login#code=`);
    const db = new Database(join(panel.home, "claw.db"), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["sessions", "_prisma_migrations"]));
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("refuses a second panel on the same CLAW_HOME, saying which one runs", async () => {
    await expect(startPanel({ home: panel.home })).rejects.toThrow(
      /Another claw panel \(pid \d+\) is running with this CLAW_HOME/,
    );
  });

  it("binds to 127.0.0.1 only", async () => {
    const other = await fetch(`http://[::1]:${panel.port}/api/health`).catch(() => undefined);
    expect(other).toBeUndefined();
  });

  it("serves `claw status` and `claw doctor` to the CLI over its socket", async () => {
    const status = await runCli(["status", "--json"], cliEnv);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { panel: { url: string }; podman: { reachable: boolean } };
    expect(parsed.panel.url).toBe(panel.url);
    expect(parsed.podman.reachable).toBe(true);

    const human = await runCli(["status"], cliEnv);
    expect(human.stdout).toMatch(/^Panel\s+running/m);
    expect(human.stdout).toMatch(/^Podman\s+connected/m);

    const doctor = await runCli(["doctor", "--json"], cliEnv);
    const checks = JSON.parse(doctor.stdout) as { id: string; status: string }[];
    expect(checks.length).toBeGreaterThanOrEqual(6);
    expect(doctor.code).toBe(checks.some((check) => check.status === "fail") ? 1 : 0);
  });

  it("never dials the TCP port: a listener squatting on CLAW_PORT sees no connection", async () => {
    let connections = 0;
    const decoy = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.1", resolve));
    const decoyPort = (decoy.address() as { port: number }).port;
    try {
      const env = { ...cliEnv, CLAW_PORT: String(decoyPort) };
      const status = await runCli(["status", "--json"], env);
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as { panel: { url: string } }).panel.url).toBe(panel.url);
      expect((await runCli(["audit", "tail", "-n", "1"], env)).code).toBe(0);
      expect((await runCli(["audit", "export"], env)).stdout).toContain('"action":"panel_started"');
      expect(connections).toBe(0);
    } finally {
      decoy.close();
    }
  });

  it("gives the CLI clear errors and exit codes", async () => {
    expect((await runCli(["nonsense"], cliEnv)).code).toBe(2);
    expect((await runCli([], cliEnv)).code).toBe(2);
    expect((await runCli(["--help"], cliEnv)).code).toBe(0);

    // A CLAW_HOME where no panel listens: exit 3, naming the socket and what to do.
    const elsewhere = { CLAW_HOME: join(await mkdtemp(join(tmpdir(), "claw-nopanel-")), "home") };
    const down = await runCli(["status"], elsewhere);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("not running");
    expect(down.stderr).toContain(join(elsewhere.CLAW_HOME, "run", "panel.sock"));
    expect(down.stderr).toContain("npm start");

    const jsonDown = await runCli(["status", "--json"], elsewhere);
    expect(jsonDown.code).toBe(3);
    expect(JSON.parse(jsonDown.stdout)).toHaveProperty("error");
  });

  it("mints a login link with `claw login-url`; each code logs in once", async () => {
    const minted = await runCli(["login-url", "--json"], cliEnv);
    expect(minted.code).toBe(0);
    const { url, expiresAt } = JSON.parse(minted.stdout) as { url: string; expiresAt: string };
    expect(url.startsWith(`${panel.url}/login#code=`)).toBe(true);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    const code = codeOf(url);
    const first = await loginToPanel(panel, code);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toMatch(new RegExp(`^claw_session_${panel.port}=`));
    expect((await loginToPanel(panel, code)).status).toBe(401);
    // The link printed at start works once too.
    const printed = codeOf(panel.output());
    expect((await loginToPanel(panel, printed)).status).toBe(200);
    expect((await loginToPanel(panel, printed)).status).toBe(401);

    const human = await runCli(["login-url"], cliEnv);
    expect(human.stdout).toMatch(new RegExp(`^${panel.url}/login#code=[A-Za-z0-9_-]{43}$`, "m"));
  });

  it("mints login links and trusts the CLI only over the socket, never over TCP", async () => {
    const overTcp = await fetch(`${panel.url}/api/login-code`, {
      method: "POST",
      headers: { "x-claw-csrf": "1" },
    });
    expect(overTcp.status).toBe(403);
    const anyBearer = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${"a".repeat(43)}`, "x-claw-csrf": "1" },
    });
    expect(anyBearer.status).toBe(401);
    const overSocket = await panel.fetch("/api/trpc/auth.whoami", { headers: { "x-claw-csrf": "1" } });
    expect(overSocket.status).toBe(200);
  });

  it("serves the CLI's WebSockets over the socket without an Origin, and refuses that over TCP", async () => {
    const path = "/ws/jobs/j-aaaaaaaaaa";
    // Authenticated and routed: the job does not exist, so the panel closes with its own code.
    expect(await webSocketOutcome(`ws+unix://${panel.socketPath}:${path}`)).toBe("closed 4404");
    expect(await webSocketOutcome(`ws://127.0.0.1:${panel.port}${path}`)).toBe("refused 403");
    expect(await webSocketOutcome(`ws://127.0.0.1:${panel.port}${path}`, { origin: panel.url })).toBe(
      "refused 401",
    );
  });

  it("keeps a session when a narrower-path cookie of the same name is planted", async () => {
    const login = await loginToPanel(panel, await panel.token());
    const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
    const name = `claw_session_${panel.port}`;
    // A browser sends the narrower-path cookie first.
    const whoami = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { cookie: `${name}=planted-by-a-control-ui; ${cookie}`, "x-claw-csrf": "1" },
    });
    expect(whoami.status).toBe(200);
    const page = await fetch(`${panel.url}/`, {
      headers: { cookie: `${name}=junk; ${cookie}` },
      redirect: "manual",
    });
    expect(page.status).toBe(200);
    const junkOnly = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { cookie: `${name}=junk`, "x-claw-csrf": "1" },
    });
    expect(junkOnly.status).toBe(401);
  });

  it("keeps sessions across a restart, then shuts down cleanly on SIGTERM", async () => {
    const response = await loginToPanel(panel, await panel.token());
    const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(response.status).toBe(200);

    expect(await panel.stop()).toBe(0);
    expect(panel.output()).toContain("claw: stopped");
    expect(await fetch(`${panel.url}/api/health`).catch(() => "down")).toBe("down");

    panel = await startPanel({ home: panel.home, port: panel.port });
    const whoami = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { cookie, "x-claw-csrf": "1" },
    });
    expect(whoami.status).toBe(200);
  });
});

describe("login rate limiting", () => {
  let panel: RunningPanel;
  beforeAll(async () => {
    panel = await startPanel();
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("slows wrong codes after five, but a valid code still logs in", async () => {
    for (let i = 0; i < 5; i++) expect((await loginToPanel(panel, `wrong-${i}`)).status).toBe(401);
    const blocked = await loginToPanel(panel, "wrong-again");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await loginToPanel(panel, await panel.token())).status).toBe(200);
    expect((await loginToPanel(panel, "wrong-once-more")).status).toBe(429);
  });
});

describe("a CLAW_HOME from before login codes", () => {
  let panel: RunningPanel | undefined;
  afterAll(async () => {
    await panel?.stop();
  });

  it("no longer accepts the long-lived panel token from a login link, and removes it", async () => {
    const home = join(await mkdtemp(join(tmpdir(), "claw-legacy-")), "home");
    await mkdir(home, { recursive: true, mode: 0o700 });
    const legacy = "L".repeat(43);
    await writeFile(join(home, "panel-token"), `${legacy}\n`, { mode: 0o600 });
    panel = await startPanel({ home });

    expect(panel.output()).toContain("removed");
    await expect(stat(join(home, "panel-token"))).rejects.toThrow(/ENOENT/);
    expect(panel.output()).not.toContain(legacy);
    const refused = await loginToPanel(panel, legacy);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain("claw login-url");
    const bearer = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${legacy}`, "x-claw-csrf": "1" },
    });
    expect(bearer.status).toBe(401);
  });
});
