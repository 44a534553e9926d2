import type { UsageDay } from "./agent-types";

/** Token counts in little room: "950", "9.9k", "12k", "3.4M"; the exact figure goes in a title. */
export function compactCount(count: number): string {
  if (count < 1000) return `${count}`;
  // Decided on the value as printed: from 999,500 it would read "1000k".
  const [value, unit] = count < 999_500 ? [count / 1e3, "k"] : [count / 1e6, "M"];
  return `${value < 9.95 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value)}${unit}`;
}

const plural = (count: number, one: string) => `${count.toLocaleString()} ${one}${count === 1 ? "" : "s"}`;

/** One day's use as a sentence: "12 requests, 3.4k tokens in, 1.2k out, 1 error". */
export function usageSummary(day: UsageDay): string {
  if (day.requests === 0) return "no requests";
  const parts = [
    plural(day.requests, "request"),
    `${compactCount(day.inputTokens)} tokens in`,
    `${compactCount(day.outputTokens)} out`,
  ];
  if (day.errors > 0) parts.push(plural(day.errors, "error"));
  return parts.join(", ");
}

/** "Mon" for a local "YYYY-MM-DD" (the server counts days on this machine's clock). */
export function weekday(day: string, locale?: string): string {
  const [year, month, date] = day.split("-").map(Number);
  if (!year || !month || !date) return day;
  return new Date(year, month - 1, date).toLocaleDateString(locale, { weekday: "short" });
}

export type UsageBar = { day: string; requests: number; errors: number; heightPercent: number };

/**
 * The bars of the week's chart: each day's requests against the busiest day. A day with any
 * request stays visible (at least 4 %) beside a much busier one.
 */
export function usageBars(days: UsageDay[]): UsageBar[] {
  const most = Math.max(0, ...days.map((day) => day.requests));
  return days.map((day) => ({
    day: day.day,
    requests: day.requests,
    errors: day.errors,
    heightPercent:
      most === 0 || day.requests === 0 ? 0 : Math.max(4, Math.round((day.requests / most) * 100)),
  }));
}

/** Whether the week holds any request at all (else the card says there are none yet). */
export function hasUsage(days: UsageDay[]): boolean {
  return days.some((day) => day.requests > 0);
}
