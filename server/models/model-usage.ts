import type { Db } from "../db/client";

/** Midnight on this machine's clock: "today" for budgets and the usage shown. */
export function startOfToday(now = new Date()): Date {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day;
}

export type UsageDay = {
  day: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  errors: number;
};
export type ModelUsageSummary = { today: UsageDay; days: UsageDay[]; lastModel: string | null };

const dayKey = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

/** Pure: requests summed per local day, oldest first, every one of the last `days` days present. */
export function sumByDay(
  rows: { at: Date; inputTokens: number; outputTokens: number; outcome: string }[],
  days: number,
  now = new Date(),
): UsageDay[] {
  const out: UsageDay[] = [];
  const index = new Map<string, UsageDay>();
  for (let back = days - 1; back >= 0; back--) {
    const date = startOfToday(now);
    date.setDate(date.getDate() - back);
    const entry = { day: dayKey(date), requests: 0, inputTokens: 0, outputTokens: 0, errors: 0 };
    out.push(entry);
    index.set(entry.day, entry);
  }
  for (const row of rows) {
    const entry = index.get(dayKey(row.at));
    if (!entry) continue;
    entry.requests += 1;
    entry.inputTokens += row.inputTokens;
    entry.outputTokens += row.outputTokens;
    if (row.outcome !== "ok") entry.errors += 1;
  }
  return out;
}

/** An agent's or a job's model use: today and each of the last 7 days. */
export async function modelUsageOf(
  db: Db,
  where: { agent: string } | { job: string },
): Promise<ModelUsageSummary> {
  const since = startOfToday();
  since.setDate(since.getDate() - 6);
  const rows = await db.modelRequest.findMany({
    where: { ...where, at: { gte: since } },
    select: { at: true, inputTokens: true, outputTokens: true, outcome: true, model: true },
    orderBy: { id: "asc" },
  });
  const days = sumByDay(rows, 7);
  return { today: days[days.length - 1] as UsageDay, days, lastModel: rows.at(-1)?.model ?? null };
}

/** A job's model requests through the gateway, in total (a job lives minutes, not days). */
export async function jobModelUsage(db: Db, job: string) {
  const [sum, errors, last] = await Promise.all([
    db.modelRequest.aggregate({
      where: { job },
      _count: true,
      _sum: { inputTokens: true, outputTokens: true },
    }),
    db.modelRequest.count({ where: { job, outcome: { not: "ok" } } }),
    db.modelRequest.findFirst({
      where: { job },
      orderBy: { id: "desc" },
      select: { model: true, status: true },
    }),
  ]);
  return {
    requests: sum._count,
    inputTokens: sum._sum.inputTokens ?? 0,
    outputTokens: sum._sum.outputTokens ?? 0,
    errors,
    lastModel: last?.model ?? null,
    lastStatus: last?.status ?? null,
  };
}
