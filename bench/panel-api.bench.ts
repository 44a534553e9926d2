/**
 * What the panel's front door costs: the same small JSON answer from a bare Node HTTP server
 * (baseline) and through the panel's gate, authentication and tRPC, in one run on one machine.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loginToPanel, startPanel } from "../test/start-panel";
import { measureRequests, printTable } from "./measure";

export async function run() {
  const bare = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const panel = await startPanel();
  try {
    const login = await loginToPanel(panel, await panel.token());
    const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
    const host = `127.0.0.1:${panel.port}`;

    const baseline = await measureRequests(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
    const rows: [string, Awaited<ReturnType<typeof measureRequests>>][] = [
      [
        "panel /api/health (Host check, headers)",
        await measureRequests(`${panel.url}/api/health`, { headers: { host } }),
      ],
      [
        "tRPC auth.whoami, session cookie (browser: DB lookup)",
        await measureRequests(`${panel.url}/api/trpc/auth.whoami`, {
          headers: { host, cookie, "x-claw-csrf": "1", "sec-fetch-site": "same-origin" },
        }),
      ],
    ];
    printTable("bare node:http JSON", baseline, rows);
  } finally {
    await panel.stop();
    bare.close();
  }
}
