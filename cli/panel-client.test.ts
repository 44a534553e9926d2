import { afterEach, describe, expect, it, vi } from "vitest";
import { panelOnSocket, readRequest, type SeenRequest } from "../shared/socket-test-fixtures";
import { CliError, exitCodes } from "./cli-error";
import { connectToPanel, toCliError } from "./panel-client";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A panel that answers every tRPC call with `body` (JSON) and HTTP `status`. */
async function panelAnswering(status: number, body: unknown) {
  const seen: SeenRequest[] = [];
  const panel = await panelOnSocket(async (request, response) => {
    seen.push(await readRequest(request));
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  vi.stubEnv("CLAW_HOME", panel.home);
  return { ...panel, seen };
}

describe("connectToPanel", () => {
  it("calls the panel's tRPC API over CLAW_HOME/run/panel.sock with the CSRF header", async () => {
    const panel = await panelAnswering(200, { result: { data: [{ title: "Podman", status: "ok" }] } });
    const connection = connectToPanel();
    expect(connection.socketPath).toBe(panel.socketPath);
    expect(await connection.client.doctor.run.query()).toEqual([{ title: "Podman", status: "ok" }]);
    expect(panel.seen).toEqual([
      expect.objectContaining({
        method: "GET",
        url: "/api/trpc/doctor.run",
        headers: expect.objectContaining({ "x-claw-csrf": "1" }),
      }),
    ]);
  });

  it("turns the panel's error into the message and fix a person can act on", async () => {
    await panelAnswering(500, {
      error: {
        message: "Podman API socket not reachable at /run/podman/podman.sock",
        code: -32603,
        data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500, fix: "start it with podman system service" },
      },
    });
    const error = await connectToPanel()
      .client.doctor.run.query()
      .catch((caught: unknown) => caught);
    expect(toCliError(error)).toMatchObject({
      exitCode: exitCodes.failed,
      message:
        "Podman API socket not reachable at /run/podman/podman.sock\nfix: start it with podman system service",
    });
  });

  it("says the panel is not running, and where it looked, when nothing listens on the socket", async () => {
    vi.stubEnv("CLAW_HOME", "/nonexistent/claw-home");
    const error = await connectToPanel()
      .client.system.status.query()
      .catch((caught: unknown) => caught);
    const cliError = toCliError(error);
    expect(cliError.exitCode).toBe(exitCodes.panelUnreachable);
    expect(cliError.message).toMatch(
      /^The claw panel is not running: nothing listens at \/nonexistent\/claw-home\/run\/panel\.sock\. Start it with `npm start`/,
    );
  });
});

describe("toCliError", () => {
  it("keeps a CliError as it is and makes anything else a failure with its message", () => {
    const usage = new CliError("usage: claw x", exitCodes.usage);
    expect(toCliError(usage)).toBe(usage);
    expect(toCliError(new Error("boom"))).toEqual(new CliError("boom", exitCodes.failed));
    expect(toCliError("plain")).toMatchObject({ message: "plain", exitCode: exitCodes.failed });
  });
});
