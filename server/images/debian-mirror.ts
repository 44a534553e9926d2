import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../errors";

export type AptSource = { uri: string; suites: string[]; components: string[] };

/** Pure: the `deb` entries of a one-line sources.list or a deb822 `.sources` text. */
export function parseAptSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  const lines = text.split("\n").map((line) => line.replace(/#.*$/, "").trimEnd());
  for (const line of lines) {
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line.trim());
    if (match?.[1] && match[2]) {
      sources.push({
        uri: match[1],
        suites: [match[2]],
        components: (match[3] ?? "").split(/\s+/).filter(Boolean),
      });
    }
  }
  // deb822: paragraphs separated by blank lines.
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split("\n")) {
      if (line.startsWith("#")) continue;
      const field = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (field?.[1]) fields.set(field[1].toLowerCase(), (field[2] ?? "").trim());
    }
    const types = (fields.get("types") ?? "").split(/\s+/);
    if (!types.includes("deb") || fields.get("enabled") === "no") continue;
    const words = (name: string) => (fields.get(name) ?? "").split(/\s+/).filter(Boolean);
    for (const uri of words("uris")) {
      sources.push({ uri, suites: words("suites"), components: words("components") });
    }
  }
  return sources;
}

/** Pure: the first http(s) source serving `suite` (exactly, not `suite-security`) with `main`. */
export function pickDebianMirror(sources: AptSource[], suite: string): string | undefined {
  const found = sources.find(
    (source) =>
      /^https?:\/\//.test(source.uri) && source.suites.includes(suite) && source.components.includes("main"),
  );
  return found?.uri;
}

/** Edge: the Debian mirror this host's apt uses for `suite`. */
export async function findDebianMirror(suite: string, aptDir = "/etc/apt"): Promise<string> {
  const texts: string[] = [];
  const main = await readFile(join(aptDir, "sources.list"), "utf8").catch(() => "");
  texts.push(main);
  const partsDir = join(aptDir, "sources.list.d");
  const parts = await readdir(partsDir).catch(() => [] as string[]);
  for (const name of parts.sort()) {
    if (name.endsWith(".list") || name.endsWith(".sources")) {
      texts.push(await readFile(join(partsDir, name), "utf8"));
    }
  }
  const mirror = pickDebianMirror(texts.flatMap(parseAptSources), suite);
  if (!mirror) {
    throw new AppError("PRECONDITION_FAILED", `No apt source for Debian "${suite}" main found in ${aptDir}`, {
      fix: `Add a Debian mirror for ${suite} to /etc/apt/sources.list, or pass the mirror explicitly.`,
    });
  }
  return mirror;
}
