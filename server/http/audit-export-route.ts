import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { openAuditReader } from "../audit/audit-reader";
import { exportAuditJsonl } from "../audit/export-audit-log";
import { type Actor, actorLabel } from "../auth/actor";
import type { PanelServices } from "../panel/panel-services";
import { sendError } from "./respond";

const exportQuery = z.object({
  since: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  agent: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "not an agent name")
    .optional(),
});

/** GET /api/audit/export?since=&agent=: the log as JSONL, streamed, with backpressure. */
export async function handleAuditExport(
  req: IncomingMessage,
  res: ServerResponse,
  services: PanelServices,
  actor: Actor,
): Promise<void> {
  const params = Object.fromEntries(new URL(req.url ?? "/", "http://127.0.0.1").searchParams);
  const parsed = exportQuery.safeParse({
    since: params.since || undefined,
    agent: params.agent || undefined,
  });
  if (!parsed.success) {
    return sendError(
      res,
      400,
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  const filter = parsed.data;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  res.writeHead(200, {
    "Content-Type": "application/x-ndjson; charset=utf-8",
    "Content-Disposition": `attachment; filename="claw-audit-${stamp}.jsonl"`,
    "Cache-Control": "no-store",
  });
  const reader = openAuditReader(services.paths.db);
  const counter = { events: 0 };
  let outcome: "ok" | "error" = "ok";
  try {
    const lines = exportAuditJsonl(reader, {
      filter,
      keyId: services.hostKey.keyId,
      publicKey: services.hostKey.publicKey,
      counter,
    });
    await pipeline(Readable.from(lines), res);
  } catch {
    outcome = "error"; // the client went away, or the file could not be read
    res.destroy();
  } finally {
    reader.close();
  }
  await services.audit.record({
    category: "panel",
    action: "audit_exported",
    actor: actorLabel(actor),
    outcome,
    details: { since: filter.since ?? null, agent: filter.agent ?? null, events: counter.events },
  });
}
