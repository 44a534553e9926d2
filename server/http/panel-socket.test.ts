import { chmod, lstat, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { socketFetch } from "../../shared/socket-fetch";
import { listenOnPanelSocket } from "./panel-socket";

const handlers = {
  async handleSocketRequest(_req: IncomingMessage, res: ServerResponse) {
    res.end("from the panel");
  },
  handleSocketUpgrade() {},
};

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe("listenOnPanelSocket", () => {
  it("listens 0600 in a directory tightened to 0700, replacing what a dead panel left", async () => {
    const run = join(await mkdtemp(join(tmpdir(), "claw-sock-")), "run");
    await mkdir(run, { mode: 0o755 });
    await chmod(run, 0o755);
    const path = join(run, "panel.sock");
    await writeFile(path, "left behind");

    server = await listenOnPanelSocket(path, handlers);
    expect((await lstat(run)).mode & 0o777).toBe(0o700);
    const socket = await lstat(path);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(await (await socketFetch(path)("/anything")).text()).toBe("from the panel");
  });

  it("refuses a run directory that is a symlink", async () => {
    const base = await mkdtemp(join(tmpdir(), "claw-sock-"));
    await mkdir(join(base, "elsewhere"));
    await symlink(join(base, "elsewhere"), join(base, "run"));
    await expect(listenOnPanelSocket(join(base, "run", "panel.sock"), handlers)).rejects.toThrow(
      /not a directory of this user/,
    );
  });

  it("says what to do when CLAW_HOME is too long for a socket path", async () => {
    await expect(
      listenOnPanelSocket(`/tmp/${"x".repeat(120)}/run/panel.sock`, handlers),
    ).rejects.toMatchObject({
      fix: expect.stringContaining("shorter path"),
    });
  });
});
