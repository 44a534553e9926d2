/**
 * The compiled openclaw.json must pass the real OpenClaw validator (`openclaw config validate`),
 * run with the Node 24 and OpenClaw that server/images/install-openclaw.ts installs.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureOpenClaw } from "../images/install-openclaw";
import { runOpenClaw } from "../images/run-openclaw";
import { compileOpenclawConfig } from "./compile-openclaw-config";
import { builtinNames, builtinTemplate, testImage } from "./policy-test-fixtures";

type Validation = { valid: boolean; issues?: unknown[] };

async function validate(config: unknown): Promise<Validation> {
  const dir = await mkdtemp(join(tmpdir(), "claw-openclaw-config-"));
  const path = join(dir, "openclaw.json");
  await writeFile(path, JSON.stringify(config, null, 2));
  const result = await runOpenClaw(["config", "validate", "--json"], {
    env: { OPENCLAW_CONFIG_PATH: path },
    timeoutMs: 120_000,
  });
  try {
    return JSON.parse(result.stdout) as Validation;
  } catch {
    throw new Error(`openclaw config validate printed no JSON:\n${result.stdout}\n${result.stderr}`);
  }
}

const host = { rootless: false, panelPort: 7878 };

describe("compiled openclaw.json against the real OpenClaw validator", () => {
  beforeAll(async () => {
    await ensureOpenClaw(); // a cold install takes a minute or two; later runs reuse it
  }, 20 * 60_000);

  it.each(builtinNames)("%s passes", async (name) => {
    const config = compileOpenclawConfig({
      template: builtinTemplate(name),
      agent: `my-${name}`,
      image: testImage,
      host,
    });
    expect(await validate(config)).toMatchObject({ valid: true });
  });

  it("passes with a Telegram channel and a custom model endpoint", async () => {
    const template = builtinTemplate("coder");
    template.openclaw.channels.telegram = true;
    template.openclaw.model.baseUrl = "http://127.0.0.1:3129";
    expect(
      await validate(compileOpenclawConfig({ template, agent: "tg", image: testImage, host })),
    ).toMatchObject({ valid: true });
  });

  it("passes with an OpenAI-compatible model server on this machine (no key), through the gateway", async () => {
    const template = builtinTemplate("security");
    template.openclaw.model = {
      provider: "openai",
      id: "qwen3",
      baseUrl: "http://127.0.0.1:11434/v1",
      secret: null,
      budget: {},
    };
    const config = compileOpenclawConfig({ template, agent: "local", image: testImage, host });
    expect(config.models).toMatchObject({
      providers: { openai: { baseUrl: "http://127.0.0.1:3129/v1", api: "openai-completions" } },
    });
    expect(await validate(config)).toMatchObject({ valid: true });
  });

  it("fails for a config OpenClaw would refuse (the check can fail)", async () => {
    const config = compileOpenclawConfig({
      template: builtinTemplate("coder"),
      agent: "x",
      image: testImage,
      host,
    });
    expect((await validate({ ...config, notAKey: true })).valid).toBe(false);
  });
});
