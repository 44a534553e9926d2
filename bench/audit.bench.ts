/**
 * The audit log at scale: append rate with the chain vs a plain insert of the same row (baseline),
 * filtered query latency and a full verify at 1,000,000 events. One run, one machine.
 */
import { appendFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import Database from "better-sqlite3";
import {
  type AuditEventContent,
  checkpointStatement,
  genesisHash,
  hashEvent,
} from "../server/audit/audit-chain";
import { createTestAuditLog, sampleEvent, type TestAuditLog } from "../server/audit/audit-test-log";
import { canonicalJson } from "../server/audit/canonical-json";
import { type AuditFilter, listAuditEvents } from "../server/audit/query-audit-log";
import { verifyAuditLog } from "../server/audit/verify-audit-log";
import { optimizeDatabase } from "../server/db/optimize-database";

const total = Number(process.env.CLAW_BENCH_AUDIT_EVENTS ?? 1_000_000);
const appends = 3_000;

const categories = ["lifecycle", "policy", "access", "terminal", "job", "egress", "panel"];
const actions = [
  "agent_started",
  "agent_stopped",
  "egress_allowed",
  "egress_denied",
  "terminal_opened",
  "job_finished",
  "login_succeeded",
];
const outcomes = ["ok", "ok", "ok", "ok", "denied", "error"];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timeIt(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function run() {
  const log = await createTestAuditLog();
  const plainLog = await createTestAuditLog();
  try {
    await measure(log, plainLog);
  } finally {
    await plainLog.audit.close();
    await plainLog.db.$disconnect();
    await rm(log.dir, { recursive: true, force: true });
    await rm(plainLog.dir, { recursive: true, force: true });
  }
}

async function measure(log: TestAuditLog, plainLog: TestAuditLog) {
  // 1. Append rate: the real record() (head read, hash, insert, checkpoint every 100) vs inserting
  // the same row, with its id and placeholder hashes given, in a transaction of its own.
  let t0 = performance.now();
  for (let i = 0; i < appends; i++) await log.audit.record(sampleEvent(i));
  const chained = appends / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 1; i <= appends; i++) {
    const event = sampleEvent(i);
    await plainLog.db.$transaction((tx) =>
      tx.auditEvent.create({
        data: {
          ...event,
          id: i,
          time: new Date(),
          details: canonicalJson(event.details),
          prevHash: genesisHash,
          hash: genesisHash,
        },
      }),
    );
  }
  const plain = appends / ((performance.now() - t0) / 1000);
  await log.audit.close();
  await log.db.$disconnect();

  // 2. Fill to `total` rows with a real chain and real signed checkpoints every 100 rows.
  const db = new Database(log.dbPath);
  const head = db.prepare("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").get() as {
    id: number;
    hash: string;
  };
  const insert = db.prepare(
    "INSERT INTO audit_events (id, time, category, action, actor, agent, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insertCheckpoint = db.prepare(
    "INSERT INTO audit_checkpoints (tree_size, head_hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?)",
  );
  let prevHash = head.hash ?? genesisHash;
  const start = Date.now() - total * 1000;
  t0 = performance.now();
  const fill = db.transaction((from: number, to: number) => {
    const lines: string[] = [];
    for (let id = from; id <= to; id++) {
      const content: AuditEventContent = {
        id,
        time: new Date(start + id * 1000).toISOString(),
        category: categories[id % categories.length] ?? "panel",
        action: actions[id % actions.length] ?? "x",
        actor: id % 3 === 0 ? "system" : `panel:${(id % 50).toString(16).padStart(12, "0")}`,
        agent: id % 4 === 0 ? null : `agent-${id % 40}`,
        outcome: outcomes[id % outcomes.length] ?? "ok",
        details: { host: `host-${id % 1000}.example`, bytes: id * 7, n: id },
      };
      const details = canonicalJson(content.details);
      const hash = hashEvent(prevHash, content, details);
      insert.run(
        id,
        content.time.replace("Z", "+00:00"),
        content.category,
        content.action,
        content.actor,
        content.agent,
        content.outcome,
        details,
        prevHash,
        hash,
      );
      prevHash = hash;
      if (id % 100 === 0) {
        const statement = {
          treeSize: id,
          headHash: hash,
          time: new Date().toISOString(),
          keyId: log.hostKey.keyId,
        };
        const signature = Buffer.from(log.hostKey.sign(checkpointStatement(statement))).toString("base64");
        insertCheckpoint.run(id, hash, statement.time.replace("Z", "+00:00"), statement.keyId, signature);
        lines.push(canonicalJson({ ...statement, signature }));
      }
    }
    if (lines.length) appendFileSync(log.checkpointsPath, `${lines.join("\n")}\n`);
  });
  for (let from = head.id + 1; from <= total; from += 10_000) fill(from, Math.min(total, from + 9_999));
  db.close();
  const fillSeconds = (performance.now() - t0) / 1000;
  optimizeDatabase(log.dbPath); // as the panel does at start and hourly

  // 3. Filtered queries on the full log, through the same Prisma path the viewer uses.
  const { createDb } = await import("../server/db/client");
  const client = createDb(log.dbPath);
  const page = (filter: AuditFilter, before?: number) =>
    listAuditEvents(client, { filter, before, limit: 50 });
  await page({});
  const queries: [string, AuditFilter, number?][] = [
    ["newest page, no filter (baseline)", {}],
    ["category = egress", { category: "egress" }],
    ["agent = agent-7, outcome = denied", { agent: "agent-7", outcome: "denied" }],
    [
      "action = egress_denied, deep page (before id 500,000)",
      { action: "egress_denied" },
      Math.floor(total / 2),
    ],
    [
      "time range: one hour in the middle",
      {
        from: new Date(start + (total / 2) * 1000).toISOString(),
        to: new Date(start + (total / 2 + 3600) * 1000).toISOString(),
      },
    ],
    ["text in details: host-123.example", { text: "host-123.example" }],
  ];
  const timings: [string, number][] = [];
  for (const [name, filter, before] of queries)
    timings.push([name, await timeIt(15, () => page(filter, before))]);
  await client.$disconnect();

  // 4. Full verify from disk.
  const verifyStarted = performance.now();
  const report = await verifyAuditLog({
    dbPath: log.dbPath,
    checkpointsPath: log.checkpointsPath,
    publicKey: log.hostKey.publicKey,
  });
  const verifySeconds = (performance.now() - verifyStarted) / 1000;

  const baseline = timings[0]?.[1] ?? 1;
  console.log(
    `events: ${report.rows.toLocaleString()}, checkpoints: ${report.checkpoints.toLocaleString()}, verify ok: ${report.ok}`,
  );
  console.log("\n| append path | events/s | vs plain insert |\n|---|---|---|");
  console.log(`| plain insert, own transaction (baseline) | ${Math.round(plain)} | 1.00× |`);
  console.log(
    `| audit record(): head read + JCS + SHA-256 + insert + checkpoint/100 | ${Math.round(chained)} | ${(chained / plain).toFixed(2)}× |`,
  );
  console.log(
    `\n| query at ${total.toLocaleString()} events (50 rows) | median ms | vs newest page |\n|---|---|---|`,
  );
  for (const [name, ms] of timings)
    console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(1)}× |`);
  console.log(
    `\nbulk fill with chain and signed checkpoints: ${fillSeconds.toFixed(1)} s (${Math.round(total / fillSeconds).toLocaleString()} events/s)`,
  );
  console.log(
    `full verify: ${verifySeconds.toFixed(1)} s (${Math.round(report.rows / verifySeconds).toLocaleString()} events/s)`,
  );
}
