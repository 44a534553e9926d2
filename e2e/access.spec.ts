import { expect, type Page, test } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { type FakeTelegram, startFakeTelegram } from "../test/fake-telegram";
import { deleteAgentAfterEach, LoginPage, mutate, origin } from "./panel";

/** Page object for /access: the bot card, the pairing card and who has access. */
class AccessPage {
  constructor(readonly page: Page) {}

  /** The bot's state badge is drawn from a client query: once it shows, React has hydrated. */
  async open(agent?: string) {
    await this.page.goto(agent ? `/access?agent=${agent}` : "/access");
    await expect(this.botState()).toBeVisible();
  }

  botState() {
    return this.page.getByTestId("bot-state");
  }

  botForm() {
    return this.page.getByRole("form", { name: "Telegram bot" });
  }

  /** Fills the token and, under Advanced, the Bot API's address; Enter in the token field saves. */
  async configureBot(token: string, apiRoot: string) {
    const form = this.botForm();
    await form.getByText("Advanced").click();
    await form.getByLabel("Bot API base URL").fill(apiRoot);
    await form.getByLabel("Bot token").fill(token);
    await form.getByLabel("Bot token").press("Enter");
  }

  pairForm() {
    return this.page.getByRole("form", { name: "Pair someone" });
  }

  /** The pairing just made, followed live. */
  pairing() {
    return this.page.getByRole("region", { name: "New pairing" });
  }

  grants() {
    return this.page.getByRole("table", { name: "Who has access" });
  }

  /** Reads the QR code off the screen, as a phone would. */
  async scanQr(): Promise<string | undefined> {
    const png = PNG.sync.read(await this.pairing().getByTestId("pairing-qr").screenshot());
    return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
  }
}

/** Several test panels share one Podman: the name is unique to this run; so is the Telegram user. */
const run = Date.now().toString(36);
const name = `access-${run}`;
const alice = { id: 1_000_000 + (Date.now() % 1_000_000), username: `alice_${run}` };

let fake: FakeTelegram;

test.beforeAll(async () => {
  fake = await startFakeTelegram();
});

/** Even after a failure half way, the panel stops polling a fake that is about to go. */
test.afterEach(async ({ page }) => {
  await page.request
    .post("/api/trpc/access.configureTelegram", {
      headers: { "x-claw-csrf": "1", Origin: origin },
      data: { token: null },
    })
    .catch(() => {});
});

test.afterAll(async () => {
  await fake?.close();
});

deleteAgentAfterEach(name);

/** What the bot says to `user` next, after what it said before `act` ran. */
async function replyTo(user: { id: number }, act: () => unknown): Promise<string> {
  const reply = fake.nextMessageTo(user.id, { after: fake.messagesTo(user.id).length });
  // A failing `act` fails the test; the reply's own timeout must not surface later as a stray rejection.
  reply.catch(() => {});
  await act();
  return reply;
}

test("set up the bot, pair someone by QR code and code, let them in, revoke them", async ({ page }) => {
  test.setTimeout(180_000);
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name, template: "coder" });
  const access = new AccessPage(page);

  // The nav leads here; before there is a bot, the page says how to get one and pairing is off.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Access" }).click();
  await expect(access.botState()).toHaveText("off");
  await expect(page.getByText("@BotFather").first()).toBeVisible();
  await expect(access.pairForm().getByRole("button", { name: "Create pairing link" })).toBeDisabled();

  // A token the Bot API refuses is not kept, and the reason shows with its fix.
  await access.configureBot(`${fake.bot.id}:AAWrongTokenForTheTestOnly_xyz`, fake.apiRoot);
  const refused = access.botForm().getByRole("alert");
  await expect(refused).toContainText("Telegram refused the token");
  await expect(refused).toContainText("Fix:");
  await expect(access.botState()).toHaveText("off");

  await access.botForm().getByLabel("Bot token").fill(fake.token);
  await access.botForm().getByRole("button", { name: "Save" }).click();
  await expect(access.botForm().getByRole("status")).toHaveText("Saved: the bot is @claw_test_bot.");
  await expect(access.botState()).toHaveText("running", { timeout: 45_000 });
  await expect(page.getByTestId("bot-username")).toHaveText("@claw_test_bot");
  await expect(page.getByText(fake.apiRoot)).toBeVisible();
  await expect(page.getByText(`${fake.bot.id}:…${fake.token.slice(-4)}`)).toBeVisible();

  // A link for the operator role on the agent: the QR code says what the link says.
  await access.pairForm().getByLabel("Agent").selectOption(name);
  // Jobs from the chat follow the role until chosen: on for admin, off for the rest.
  const jobsBox = access.pairForm().getByLabel("May run Claude Code jobs from the chat");
  await access.pairForm().getByLabel("Role").selectOption("admin");
  await expect(jobsBox).toBeChecked();
  await access.pairForm().getByLabel("Role").selectOption("operator");
  await expect(jobsBox).not.toBeChecked();
  await access.pairForm().getByRole("button", { name: "Create pairing link" }).click();
  await expect(access.pairing()).toHaveAttribute("data-pairing-status", "pending");
  const link = await access.pairing().getByRole("textbox", { name: "Pairing link" }).inputValue();
  expect(link).toMatch(/^https:\/\/t\.me\/claw_test_bot\?start=pair-[A-Za-z0-9_-]{43}$/);
  expect(await access.scanQr()).toBe(link);

  // Alice opens it: the bot gives her a code, and the page shows her and the same code.
  const payload = new URL(link).searchParams.get("start") ?? "";
  const codeMessage = await replyTo(alice, () => fake.userSends(alice, `/start ${payload}`));
  const code = /\b(\d{3} \d{3})\b/.exec(codeMessage)?.[1];
  expect(code, codeMessage).toBeDefined();
  await expect(access.pairing().getByTestId("pairing-code")).toHaveText(code ?? "", { timeout: 10_000 });
  await expect(access.pairing().getByTestId("pairing-subject")).toHaveText(`@${alice.username}`);
  await expect(access.pairing()).toContainText(`Telegram id ${alice.id}`);

  const paired = await replyTo(alice, () =>
    access.pairing().getByRole("button", { name: "Confirm" }).click(),
  );
  expect(paired).toMatch(new RegExp(`^Paired: you are an? operator on "${name}"`));
  await expect(access.pairing()).toContainText(`Paired: @${alice.username} is now operator on ${name}.`);
  const row = access
    .grants()
    .getByRole("row")
    .filter({ hasText: `@${alice.username}` });
  await expect(row).toContainText(name);
  await expect(row).toContainText("operator");
  await expect(row).toContainText(`Telegram id ${alice.id}`);

  // She can ask about the agent (not start it: starting containers is covered elsewhere).
  const status = await replyTo(alice, () => fake.userSends(alice, `/status ${name}`));
  expect(status).toContain(name);

  // Running jobs is a right of its own: refused until it is allowed here, and the bot tells her.
  const jobsCell = row.getByRole("cell").filter({ has: page.getByRole("button", { name: /jobs for/ }) });
  await expect(jobsCell).toContainText("no");
  expect(await replyTo(alice, () => fake.userSends(alice, `/job ${name} hello`))).toMatch(
    /needs the right to run jobs on/,
  );
  const allowed = await replyTo(alice, () =>
    access
      .grants()
      .getByRole("button", { name: `Allow jobs for @${alice.username} on ${name}` })
      .click(),
  );
  expect(allowed).toContain(`You may now run Claude Code jobs on "${name}"`);
  await expect(jobsCell).toContainText("up to 10/h");
  await expect(
    page.getByText(`@${alice.username} may now run Claude Code jobs on ${name}, at most 10 an hour.`),
  ).toBeVisible();
  const stopped = await replyTo(alice, () =>
    access
      .grants()
      .getByRole("button", { name: `Stop jobs for @${alice.username} on ${name}` })
      .click(),
  );
  expect(stopped).toContain(`You may no longer run Claude Code jobs on "${name}"`);
  await expect(jobsCell).toContainText("no");

  // The agent's own Access tab lists her too, and leads back here with the agent chosen.
  await page.goto(`/agents/${name}?tab=access`);
  await expect(page.getByRole("tab", { name: "Access" })).toHaveAttribute("aria-selected", "true");
  await expect(
    access
      .grants()
      .getByRole("row")
      .filter({ hasText: `@${alice.username}` }),
  ).toBeVisible();
  await page.getByRole("link", { name: `Pair someone with ${name}` }).click();
  await expect(page).toHaveURL(`${origin}/access?agent=${name}`);
  await expect(access.botState()).toHaveText("running");
  await expect(access.pairForm().getByLabel("Agent")).toHaveValue(name);

  // A link nobody opens: after a reload its QR code is gone, but it waits in the list until cancelled.
  await access.pairForm().getByRole("button", { name: "Create pairing link" }).click();
  await expect(access.pairing()).toHaveAttribute("data-pairing-status", "pending");
  await access.open(name);
  await expect(access.pairing()).toHaveCount(0);
  const waiting = page
    .getByRole("table", { name: "Waiting pairings" })
    .getByRole("row")
    .filter({ hasText: name });
  await expect(waiting).toContainText("viewer");
  await expect(waiting).toContainText("link not opened");
  await waiting.getByRole("button", { name: /^Cancel p-/ }).click();
  await expect(page.getByText("No pairing links are waiting.")).toBeVisible();

  // Revoking asks first; then the bot tells her, and her next message gets no answer at all.
  const revoked = await replyTo(alice, async () => {
    await access
      .grants()
      .getByRole("button", { name: `Revoke @${alice.username} on ${name}` })
      .click();
    await page
      .getByRole("alertdialog", { name: `Confirm revoking @${alice.username} on ${name}` })
      .getByRole("button", { name: `Yes, revoke @${alice.username}` })
      .click();
  });
  expect(revoked).toContain(`Your access to "${name}" was revoked.`);
  await expect(page.getByText(`Revoked: @${alice.username} no longer has access to ${name}.`)).toBeVisible();
  await expect(page.getByText("Nobody can reach the agents from Telegram yet.")).toBeVisible();

  const before = fake.messagesTo(alice.id).length;
  fake.userSends(alice, `/status ${name}`);
  // Nothing is supposed to happen, so nothing can be awaited: give the bot time to (wrongly) answer.
  await page.waitForTimeout(2_000);
  expect(fake.messagesTo(alice.id)).toHaveLength(before);

  // The audit log has the whole story, the refused message included.
  await page.goto(`/audit?category=access&text=${alice.username}`);
  await expect(page.getByRole("button", { name: "● Live" })).toBeVisible();
  const audit = page.getByRole("table", { name: "Audit events" });
  for (const action of ["telegram_pairing_confirmed", "access_revoked", "telegram_message_refused"])
    await expect(audit.getByText(action, { exact: true })).toBeVisible();

  // Clean up in the page: the bot goes (asked first), and the panel stops polling the fake.
  await access.open();
  await access.botForm().getByRole("button", { name: "Remove bot" }).click();
  await page
    .getByRole("alertdialog", { name: "Confirm removing the bot" })
    .getByRole("button", { name: "Yes, remove the bot" })
    .click();
  await expect(access.botState()).toHaveText("off");
  await expect(access.botForm().getByRole("status")).toHaveText("The bot was removed.");
});
