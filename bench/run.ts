/** `npm run bench`: runs every bench/*.bench.ts in turn; each prints its own table of ratios. */
import { readdir } from "node:fs/promises";

const dir = new URL(".", import.meta.url);
const files = (await readdir(dir)).filter((name) => name.endsWith(".bench.ts")).sort();
const only = process.argv[2];
for (const file of files) {
  if (only && !file.includes(only)) continue;
  console.log(`\n## ${file}`);
  const module = (await import(new URL(file, dir).href)) as { run: () => Promise<void> };
  await module.run();
}
