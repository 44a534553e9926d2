/** JSON for scripts with --json, text for people otherwise. */
export function print(options: { json: boolean }, json: unknown, text: string) {
  console.log(options.json ? JSON.stringify(json, null, 2) : text);
}

/** All of standard input, trimmed: how secrets reach the CLI without landing in shell history. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

export const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
