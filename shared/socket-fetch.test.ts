import { describe, expect, it } from "vitest";
import { socketFetch } from "./socket-fetch";
import { panelOnSocket, readRequest, type SeenRequest } from "./socket-test-fixtures";

describe("socketFetch", () => {
  it("sends the path, query, method, headers and body over the socket, whatever host the URL names", async () => {
    const seen: SeenRequest[] = [];
    const { socketPath } = await panelOnSocket(async (request, response) => {
      seen.push(await readRequest(request));
      response.setHeader("set-cookie", ["a=1", "b=2"]);
      response.end("answer");
    });
    const response = await socketFetch(socketPath)("http://example.org/api/x?y=1&z=%20", {
      method: "POST",
      headers: { "content-type": "application/json", "x-claw-csrf": "1" },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("answer");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(seen).toEqual([
      {
        method: "POST",
        url: "/api/x?y=1&z=%20",
        headers: expect.objectContaining({
          host: "localhost",
          "content-type": "application/json",
          "x-claw-csrf": "1",
        }),
        body: '{"a":1}',
      },
    ]);
  });

  it("takes a Request, a bare path, and bytes as the body", async () => {
    const seen: SeenRequest[] = [];
    const { socketPath } = await panelOnSocket(async (request, response) => {
      seen.push(await readRequest(request));
      response.end();
    });
    const fetchOver = socketFetch(socketPath);
    await fetchOver(
      new Request("http://localhost/from-request", { method: "DELETE", headers: { "x-a": "1" } }),
    );
    await fetchOver("/bare?q=2", { body: new TextEncoder().encode("bytes"), method: "PUT" });
    expect(seen.map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: "DELETE", url: "/from-request", body: "" },
      { method: "PUT", url: "/bare?q=2", body: "bytes" },
    ]);
    expect(seen[0]?.headers["x-a"]).toBe("1");
  });

  it("gives a 204 answer no body, and streams other answers with their status", async () => {
    const { socketPath } = await panelOnSocket((request, response) => {
      response.statusCode = request.url === "/empty" ? 204 : 404;
      response.end(request.url === "/empty" ? undefined : "not here");
    });
    const empty = await socketFetch(socketPath)("/empty");
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const missing = await socketFetch(socketPath)("/other");
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.text()).toBe("not here");
  });

  it("refuses a body that is not a string or bytes before connecting", async () => {
    await expect(
      socketFetch("/nonexistent.sock")("/x", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
    ).rejects.toThrow(new TypeError("socketFetch sends string or byte bodies only"));
  });

  it("rejects with the connect error when nothing listens", async () => {
    await expect(socketFetch("/nonexistent/panel.sock")("/x")).rejects.toMatchObject({ code: "ENOENT" });
  });
});
