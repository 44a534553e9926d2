import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clawPaths } from "../config";
import { clip } from "./access-commands";
import { loadKnownSecrets, redactSecrets } from "./redact-secrets";

const key = {
  label: "the secret anthropic-api-key",
  value: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
};
const gateway = { label: "the Gateway token of web", value: "Zx9vQ2mN7bL4kJ8hG3fD6sA1pO5iU0yT" };

describe("redactSecrets", () => {
  it("replaces every occurrence of each secret and names what it found", () => {
    const text = `a ${gateway.value} b ${gateway.value} c`;
    expect(redactSecrets(text, [key, gateway])).toEqual({
      text: "a [redacted] b [redacted] c",
      found: ["the Gateway token of web"],
    });
  });

  it("leaves text without secrets alone, and ignores values too short to be one", () => {
    expect(redactSecrets("nothing to see", [key, { label: "short", value: "abc" }])).toEqual({
      text: "nothing to see",
      found: [],
    });
  });

  it("takes out what only looks like a credential (a key or bot token it does not know)", () => {
    const text = "use sk-ant-api03-ZZZZZZZZZZZZZZZZZZZZZZZZ and 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    expect(redactSecrets(text, [])).toEqual({
      text: "use [redacted] and [redacted]",
      found: ["an Anthropic API key", "a Telegram bot token"],
    });
  });

  it("takes out the piece of a secret that clipping left at either edge", () => {
    const clipped = clip(`${"x".repeat(40)}${gateway.value}\nthe rest`, 20);
    expect(clipped.startsWith("…")).toBe(true);
    const fromStart = redactSecrets(clipped, [gateway]);
    expect(fromStart.text).toBe("…[redacted]\nthe rest");
    expect(fromStart.found).toEqual(["the Gateway token of web (in part)"]);
    const head = `the end: ${gateway.value.slice(0, 15)}…`;
    expect(redactSecrets(head, [gateway]).text).toBe("the end: [redacted]…");
    // A short coincidence at the edge is not a secret.
    expect(redactSecrets(`${gateway.value.slice(-4)} ok`, [gateway]).text).toBe(
      `${gateway.value.slice(-4)} ok`,
    );
  });
});

describe("loadKnownSecrets", () => {
  it("reads every credential the panel holds, labelled, the OAuth tokens but not the rest of that file", async () => {
    const home = await mkdtemp(join(tmpdir(), "claw-redact-"));
    const paths = clawPaths(home);
    await mkdir(join(paths.jobs, "secrets"), { recursive: true });
    await mkdir(paths.secrets, { recursive: true });
    await writeFile(join(paths.secrets, "anthropic-api-key"), `${key.value}\n`);
    await writeFile(
      join(paths.jobs, "secrets", "claude-credentials.json"),
      JSON.stringify({
        claudeAiOauth: {
          accessToken: "sk-ant-oat01-access-token-value-0001",
          refreshToken: "sk-ant-ort01-refresh-token-value-0002",
          expiresAt: 1_900_000_000_000,
          scopes: ["user:inference", "user:profile"],
          subscriptionType: "max",
        },
      }),
    );
    await mkdir(join(paths.access, "secrets"), { recursive: true });
    await writeFile(
      join(paths.access, "secrets", "telegram-bot-token"),
      "123456:AAbotbotbotbotbotbotbotbot\n",
    );
    await writeFile(paths.panelToken, "panel-token-value-abcdefgh\n");
    await mkdir(join(paths.agents, "web", "secrets"), { recursive: true });
    await writeFile(join(paths.agents, "web", "secrets", "gateway-token"), `${gateway.value}\n`);
    await mkdir(join(paths.agents, "db"), { recursive: true }); // an agent not started yet: no token

    const secrets = await loadKnownSecrets(paths);
    expect(secrets).toEqual(
      expect.arrayContaining([
        key,
        { label: "the Claude OAuth credentials", value: "sk-ant-oat01-access-token-value-0001" },
        { label: "the Claude OAuth credentials", value: "sk-ant-ort01-refresh-token-value-0002" },
        { label: "the Telegram bot token", value: "123456:AAbotbotbotbotbotbotbotbot" },
        { label: "the panel token", value: "panel-token-value-abcdefgh" },
        gateway,
      ]),
    );
    expect(secrets).toHaveLength(6);
  });
});
