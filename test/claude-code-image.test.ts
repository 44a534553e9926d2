/**
 * Integration: runs the Claude Code image that scripts/build-images.ts built before the tests
 * (`npm test` does; alone: `node --import tsx scripts/build-images.ts`). It is not rebuilt here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeCodeRepo } from "../server/images/build-claude-code-image";
import { imageExists } from "../server/images/image-podman";
import { openTestImagePodman, type TestImagePodman } from "../server/images/image-test-fixtures";
import { CLAUDE_CODE_VERSION } from "../server/images/install-claude-code";
import { NODE_VERSION } from "../server/images/install-openclaw";

const image = `${claudeCodeRepo}:latest`;

describe("Claude Code image (real Podman, the real binary)", () => {
  let podman: TestImagePodman;

  beforeAll(async () => {
    podman = await openTestImagePodman();
    if (!(await imageExists(podman.docker, image))) {
      throw new Error(`${image} is missing: build it with \`node --import tsx scripts/build-images.ts\``);
    }
  });

  afterAll(async () => {
    await podman?.close();
  });

  /** As the job runner will start it: no network, non-root; here also read-only and without caps. */
  const run = async (...command: string[]) => {
    const { stdout } = await podman.cli([
      "run",
      "--rm",
      "--pull=never",
      "--network",
      "none",
      "--user",
      "1000:1000",
      "--read-only",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--tmpfs",
      "/tmp",
      image,
      ...command,
    ]);
    return stdout.trim();
  };

  it("holds the pinned claude and Node, git and bash, and runs them as uid 1000 under tini", async () => {
    const { Config } = await podman.docker.getImage(image).inspect();
    expect(Config.Labels).toMatchObject({
      "claw.image": "claude-code",
      "claw.claude-code": CLAUDE_CODE_VERSION,
      "claw.node": NODE_VERSION,
    });

    expect(await run("claude", "--version")).toBe(`${CLAUDE_CODE_VERSION} (Claude Code)`);
    expect(await run("node", "--version")).toBe(`v${NODE_VERSION}`);
    expect(await run("git", "--version")).toMatch(/^git version 2\.\d+/);
    expect(await run("bash", "--version")).toMatch(/^GNU bash, version 5\./);
    expect(await run("id", "-u")).toBe("1000");

    const facts = await run(
      "bash",
      "-c",
      'echo "$(cat /proc/1/comm) $(pwd) $(stat -c %u /workspace) $HOME $CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC $DISABLE_AUTOUPDATER"; command -v node',
    );
    expect(facts.split("\n")).toEqual(["tini /workspace 1000 /home/claude 1 1", "/usr/local/bin/node"]);

    // git works for that user with TLS roots in place (a job's repository lives in /workspace).
    const commit = await run(
      "bash",
      "-c",
      "cd /tmp && git init -q repo && cd repo && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m first && git log --format=%s && ls /etc/ssl/certs/ca-certificates.crt",
    );
    expect(commit).toBe("first\n/etc/ssl/certs/ca-certificates.crt");
  });

  it("holds the tools a job expects next to Claude Code: Python, ripgrep, jq and curl", async () => {
    expect(await run("python3", "--version")).toMatch(/^Python 3\.\d+\.\d+$/);
    expect(await run("rg", "--version")).toMatch(/^ripgrep \d+\.\d+/);
    expect(await run("jq", "--version")).toMatch(/^jq-1\.\d+/);
    const curl = await run("curl", "--version");
    expect(curl).toMatch(/^curl \d+\.\d+\.\d+ /);
    expect(curl).toMatch(/^Protocols: .*\bhttps\b/m);

    // They work, not only start: a script on each, as uid 1000 with the root read-only.
    const work = await run(
      "bash",
      "-c",
      [
        "cd /tmp",
        "node -e 'console.log(JSON.stringify({ n: 1 + 1 }))' > n.json",
        'python3 -c \'import json, ssl, sqlite3; print(json.load(open("n.json"))["n"] * 2)\'',
        "jq -r .n n.json",
        "rg -c n n.json",
        // No network: curl reads a local file, so the binary and its libraries load.
        "curl -s file:///tmp/n.json",
      ].join(" && "),
    );
    expect(work.split("\n")).toEqual(["4", "2", "1", '{"n":2}']);
  });
});
