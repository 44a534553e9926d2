/** The most lines a log view keeps; older ones drop off the top. */
export const maxLogLines = 5_000;

export type LogLine = { seq: number; time: string | null; text: string };

const esc = String.fromCharCode(27);
const bell = String.fromCharCode(7);
/** CSI sequences (colours, cursor moves) and OSC sequences (titles, links), as OpenClaw writes them. */
const ansiPattern = new RegExp(
  `${esc}\\[[0-?]*[ -/]*[@-~]|${esc}\\][^${bell}${esc}]*(?:${bell}|${esc}\\\\)|${esc}[@-Z\\\\-_]`,
  "g",
);

export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, "");
}

/** A container's text as plain text, wherever it is shown: escape sequences out, other control characters (but tabs) dropped. */
export function plainText(text: string): string {
  return [...stripAnsi(text)].filter((char) => char >= " " || char === "\t").join("");
}

const timestamped = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))\s?(.*)$/;

/** Podman prefixes each line with an RFC 3339 timestamp (`timestamps: true`). */
export function parseLogLine(raw: string, seq: number): LogLine {
  const clean = stripAnsi(raw);
  const match = timestamped.exec(clean);
  return match ? { seq, time: match[1] ?? null, text: match[2] ?? "" } : { seq, time: null, text: clean };
}

export function appendBounded(current: LogLine[], fresh: LogLine[], max = maxLogLines): LogLine[] {
  if (fresh.length === 0) return current;
  const next =
    current.length + fresh.length > max ? [...current, ...fresh].slice(-max) : [...current, ...fresh];
  return next;
}

/** "12:03:04", in the browser's time zone; the full timestamp stays in the title and the download. */
export function shortTime(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return time.slice(11, 19);
  return date.toLocaleTimeString(undefined, { hour12: false });
}

export function logText(lines: LogLine[]): string {
  return lines
    .map((line) => (line.time ? `${line.time} ${line.text}` : line.text))
    .join("\n")
    .concat("\n");
}
