import { expect, type Page, test, type WebSocketRoute } from "@playwright/test";
import { deleteAgentAfterEach, LoginPage, mutate } from "./panel";

/** Several test panels share one Podman: the name is unique to this run. */
const name = `term-${Date.now().toString(36)}`;

/** Page object for the agent page's Terminal tab, on xterm's DOM renderer so its rows can be read. */
class TerminalTab {
  constructor(readonly page: Page) {}

  async open(agent: string) {
    await this.page.evaluate(() => window.localStorage.setItem("claw.terminal.renderer", "dom"));
    await this.page.goto(`/agents/${agent}?tab=terminal`);
    await expect(this.page.getByRole("tab", { name: "Terminal", exact: true })).toHaveAttribute(
      "aria-selected",
      "true",
    );
  }

  button(label: string) {
    return this.page.getByRole("button", { name: label, exact: true });
  }

  tab(label: string) {
    return this.page.getByRole("tablist", { name: "Terminals" }).getByRole("tab", { name: label });
  }

  /** The visible terminal's rows, as text. */
  rows() {
    return this.page.locator('[data-terminal-active="true"] .xterm-rows > div');
  }

  async screenText() {
    const lines = await this.rows().allInnerTexts();
    return lines.map((line) => line.replace(/\u00a0/g, " ").trimEnd()).join("\n");
  }

  async focus() {
    await this.page.locator('[data-terminal-active="true"] .xterm-screen').click();
  }

  async run(command: string) {
    await this.page.keyboard.type(command);
    await this.page.keyboard.press("Enter");
  }

  /** The first capture of `pattern` on the screen, once it is there. */
  async waitFor(pattern: RegExp, timeout = 20_000): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    await expect
      .poll(
        async () => {
          match = pattern.exec(await this.screenText());
          return match !== null;
        },
        { timeout, message: `${pattern} on the terminal screen` },
      )
      .toBe(true);
    return match as unknown as RegExpMatchArray;
  }

  /** `stty size` as the program in the terminal sees it: [rows, cols]. */
  async sttySize(tag: string): Promise<[number, number]> {
    await this.run(`echo ${tag}:$(stty size):${tag}`);
    const match = await this.waitFor(new RegExp(`${tag}:(\\d+) (\\d+):${tag}`));
    return [Number(match[1]), Number(match[2])];
  }
}

deleteAgentAfterEach(name);

test("open a shell in a running agent, type, resize, survive a flood, end it with the agent", async ({
  page,
}) => {
  test.setTimeout(180_000);
  // The terminal's sockets pass through the test, which can then drop one as a network blip would.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws\/terminal/, (socket) => {
    socket.connectToServer();
    sockets.push(socket);
  });
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name, template: "coder" });
  await mutate(page, "agents.start", { name });

  const terminal = new TerminalTab(page);
  await terminal.open(name);
  // A shell needs the container, not the Gateway.
  await expect(page.locator("[data-agent-state]")).toHaveAttribute("data-agent-state", "running", {
    timeout: 60_000,
  });
  await terminal.button("New shell").click();
  await expect(terminal.tab("shell 1")).toHaveAttribute("data-terminal-status", "live", { timeout: 30_000 });
  await expect(page.locator('[data-terminal-active="true"] [data-terminal-renderer]')).toHaveAttribute(
    "data-terminal-renderer",
    "dom",
  );

  await terminal.focus();
  await terminal.run("echo hello-$((6*7))");
  await terminal.waitFor(/^hello-42$/m);

  // A smaller window: the terminal fits itself again and tells the program its new size.
  const before = await terminal.sttySize("size1");
  expect(before[0]).toBe(await terminal.rows().count());
  await page.setViewportSize({ width: 900, height: 520 });
  await expect.poll(() => terminal.rows().count()).toBeLessThan(before[0]);
  const after = await terminal.sttySize("size2");
  expect(after[0]).toBe(await terminal.rows().count());
  expect(after).not.toEqual(before);

  // A flood: output is paced by the page's acks, so the page stays responsive and Ctrl+C gets through.
  await terminal.run("yes");
  await page.waitForTimeout(3_000);
  await page.keyboard.press("Control+c");
  await terminal.run("echo alive-$((40+2))");
  await terminal.waitFor(/^alive-42$/m, 20_000);
  await expect(terminal.tab("shell 1")).toHaveAttribute("data-terminal-status", "live");

  // A dropped socket: the page re-attaches with a new ticket and the server replays the screen.
  expect(sockets).toHaveLength(1);
  await sockets[0]?.close({ code: 4000, reason: "network blip" });
  await expect(page.getByText(/Reconnecting…/)).toBeVisible();
  await expect(terminal.tab("shell 1")).toHaveAttribute("data-terminal-status", "live", { timeout: 15_000 });
  expect(sockets).toHaveLength(2);
  await terminal.waitFor(/^alive-42$/m);
  await terminal.focus();
  await terminal.run("echo back-$((6+1))");
  await terminal.waitFor(/^back-7$/m);

  // Stopping the agent ends its terminal; the toolbar gives way to a hint.
  await terminal.button(`Stop ${name}`).click();
  await expect(page.locator("[data-agent-state]")).toHaveAttribute("data-agent-state", /stopped|exited/, {
    timeout: 60_000,
  });
  await expect(terminal.tab("shell 1")).toHaveAttribute("data-terminal-status", "ended");
  await expect(page.getByText("Start the agent to open a terminal.")).toBeVisible();
  await expect(terminal.button("New shell")).toHaveCount(0);

  await terminal.button(`Delete ${name}`).click();
  await terminal.button(`Yes, delete ${name}`).click();
  await expect(page).toHaveURL(/\/agents\?deleted=/);
});
