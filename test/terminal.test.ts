import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { runCli, runCliInTerminal } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);

/** A terminal client as the browser's: binary output, JSON control, acks after "writing". */
class TestTerminal {
  output = "";
  received = 0;
  controls: { type: string; terminalId?: string; replayed?: number; code?: number | null }[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string>, options: { ack: boolean }) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
      this.ws.once("error", reject);
    });
    this.ws.on("message", (data, isBinary) => {
      if (!isBinary) return void this.controls.push(JSON.parse(String(data)));
      const bytes = data as Buffer;
      this.received += bytes.length;
      this.output = (this.output + bytes.toString("utf8")).slice(-200_000);
      if (this.acking) this.ack(bytes.length);
    });
    this.acking = options.ack;
  }
  acking: boolean;
  ack(bytes: number) {
    this.ws.send(JSON.stringify({ type: "ack", bytes }));
  }
  type(text: string) {
    this.ws.send(JSON.stringify({ type: "input", data: text }));
  }
  async waitFor(pattern: RegExp, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${this.output.slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe("web terminal into a running agent", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let cookie: string;
  const agent = `term-${randomBytes(3).toString("hex")}`;

  const trpc = async (path: string, body: object) => {
    const response = await fetch(`${panel.url}/api/trpc/${path}`, {
      method: "POST",
      headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { result?: { data: unknown }; error?: { message: string } };
    if (!json.result) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
    return json.result.data as { ticket: string | null };
  };
  const socketUrl = (ticket: string) => `${panel.url.replace("http", "ws")}/ws/terminal?ticket=${ticket}`;
  const headers = () => ({ cookie, origin: panel.url });

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    expect((await runCli(["agents", "create", "--template", "coder", "--name", agent], env)).code).toBe(0);
    const start = await runCli(["agents", "start", agent, "--no-wait"], env);
    expect(start.code, start.stderr).toBe(0);
    const login = await loginToPanel(panel, await panel.token());
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  });
  afterAll(async () => {
    await exec("podman", ["rm", "-f", `claw-agent-${agent}`]).catch(() => {});
    await panel?.stop();
  });

  it("echoes, resizes, survives a `yes` flood without buffering it, and re-attaches with scrollback", async () => {
    const { ticket } = await trpc("terminal.open", { agent, cols: 80, rows: 24 });
    const term = new TestTerminal(socketUrl(ticket ?? ""), headers(), { ack: true });
    await term.opened;
    const word = randomBytes(4).toString("hex");
    term.type(`echo hello-${word}-$((1+1))\r`);
    await term.waitFor(new RegExp(`hello-${word}-2\\r\\n`));

    term.ws.send(JSON.stringify({ type: "resize", cols: 100, rows: 40 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    term.type("stty size\r");
    await term.waitFor(/\r40 100\r\n/);

    // A flood while the client stops acknowledging: the panel pauses the exec instead of buffering.
    term.acking = false;
    term.type("yes\r");
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const unacked = term.received;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(term.received - unacked).toBeLessThan(64 * 1024); // paused: (almost) nothing more arrives
    term.ack(term.received);
    term.acking = true;
    term.type("\u0003");
    term.type(`echo alive-$((20+22))\r`);
    await term.waitFor(/alive-42\r\n/, 30_000);

    // A network blip: a new ticket for the same terminal replays its scrollback.
    const terminalId = term.controls.find((c) => c.type === "ready")?.terminalId;
    term.ws.close();
    const again = await trpc("terminal.open", { agent, terminalId, cols: 100, rows: 40 });
    const back = new TestTerminal(socketUrl(again.ticket ?? ""), headers(), { ack: true });
    await back.opened;
    await back.waitFor(/alive-42/);
    expect(back.controls[0]).toMatchObject({ type: "ready", terminalId });
    back.type("exit\r");
    await new Promise((resolve) => back.ws.once("close", resolve));
    expect(back.controls.at(-1)).toMatchObject({ type: "exit", code: 0 });

    const audit = await runCli(["audit", "tail", "--json", "--agent", agent, "--category", "terminal"], env);
    expect(audit.stdout).toContain('"action":"terminal_opened"');
    expect(audit.stdout).toContain('"action":"terminal_closed"');
  });

  it("refuses a socket without a ticket, with a used ticket, or from a foreign Origin", async () => {
    await expect(new TestTerminal(socketUrl(""), headers(), { ack: true }).opened).rejects.toThrow(
      "refused 403",
    );
    const { ticket } = await trpc("terminal.open", { agent, cols: 80, rows: 24 });
    const first = new TestTerminal(socketUrl(ticket ?? ""), headers(), { ack: true });
    await first.opened;
    first.ws.close();
    await expect(new TestTerminal(socketUrl(ticket ?? ""), headers(), { ack: true }).opened).rejects.toThrow(
      "refused 403",
    );
    const fresh = await trpc("terminal.open", { agent, cols: 80, rows: 24 });
    await expect(
      new TestTerminal(
        socketUrl(fresh.ticket ?? ""),
        { cookie, origin: "http://evil.example" },
        { ack: true },
      ).opened,
    ).rejects.toThrow("refused 403");
  });

  it("a close from the client ends the program at once, and another window's re-attach is not a plain end", async () => {
    const { ticket } = await trpc("terminal.open", { agent, cols: 80, rows: 24 });
    const first = new TestTerminal(socketUrl(ticket ?? ""), headers(), { ack: true });
    await first.opened;
    await first.waitFor(/\$ $/);
    const terminalId = first.controls[0]?.terminalId;
    const again = await trpc("terminal.open", { agent, terminalId, cols: 80, rows: 24 });
    const firstClosed = new Promise<number>((resolve) => first.ws.once("close", (code) => resolve(code)));
    const second = new TestTerminal(socketUrl(again.ticket ?? ""), headers(), { ack: true });
    await second.opened;
    expect(await firstClosed).toBe(4001);
    second.ws.send(JSON.stringify({ type: "close" }));
    await new Promise((resolve) => second.ws.once("close", resolve));
    expect(second.controls.at(-1)).toMatchObject({ type: "exit", reason: "closed by the user" });
  });

  it("claw exec -it attaches a real terminal over the panel's socket and passes the exit code", async () => {
    const session = await runCliInTerminal(["exec", "-it", agent], env, "echo tty-$((6*7))\nexit 3\n");
    expect(session.stdout).toContain("tty-42");
    expect(session.code).toBe(3);
  });

  it("claw exec runs one command and passes its exit code through", async () => {
    const ok = await runCli(
      ["exec", agent, "--", "sh", "-c", "echo out-$((6*7)); echo err >&2; exit 7"],
      env,
    );
    expect(ok.stdout).toBe("out-42\n");
    expect(ok.stderr).toContain("err");
    expect(ok.code).toBe(7);
  });
});
