/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (load.bench.ts among them, sized by
 * CLAW_BENCH_LOAD_*); each prints its own table of ratios. `npm run bench -- load` runs the ones
 * whose name holds "load".
 */
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
