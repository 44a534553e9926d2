import type { inferRouterOutputs } from "@trpc/server";
import type { Tone } from "@/components/ui";
import type { AppRouter } from "@/server/routers/root";

type AccessOutputs = inferRouterOutputs<AppRouter>["access"];

export type AccessStatus = AccessOutputs["status"];
export type TelegramStatus = AccessStatus["telegram"];
export type BotState = TelegramStatus["state"];
export type RoleInfo = AccessStatus["roles"][number];
export type Role = RoleInfo["role"];
export type CreatedPairing = AccessOutputs["pair"];
export type Pairing = AccessOutputs["pairings"][number];
export type Grant = AccessOutputs["grants"][number];

/** The bot's state moves on its own (starting → running, retrying while the Bot API is away). */
export const statusPollMs = 3_000;
/** While a pairing is open, someone may open its link at any moment: the code should show at once. */
export const pairingsPollMs = 2_000;

export const botStateTone: Record<BotState, Tone> = {
  running: "ok",
  starting: "warn",
  retrying: "warn",
  failed: "fail",
  off: "neutral",
};

export const isOpen = (status: string) => status === "pending" || status === "claimed";

/** Who someone is on a page: their Telegram name, or their id while they have no name. */
export const personOf = (subject: Pick<Pairing, "subjectName" | "subjectId">) =>
  subject.subjectName ?? `Telegram user ${subject.subjectId}`;

/** "123 456": the six digits as the bot shows them. */
export const formatCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

/** "14 min 05 s", "42 s", "expired": the time left until `iso`. */
export function timeLeft(iso: string, now: number): string {
  const seconds = Math.floor((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 0) return "expired";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
