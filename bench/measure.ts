import { Agent, request } from "node:http";

export type Sample = { median: number; p95: number; perSecond: number };

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(url: URL, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`${url.pathname}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sequential GETs over one keep-alive connection: latency, not the machine's parallelism. */
export async function measureRequests(
  url: string,
  options: { headers?: Record<string, string>; count?: number; warmup?: number } = {},
): Promise<Sample> {
  const target = new URL(url);
  const headers = options.headers ?? {};
  for (let i = 0; i < (options.warmup ?? 200); i++) await once(target, headers);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < (options.count ?? 2000); i++) {
    const t0 = performance.now();
    await once(target, headers);
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), perSecond: (times.length / total) * 1000 };
}

export function printTable(baselineName: string, baseline: Sample, rows: [string, Sample][]) {
  const line = (name: string, s: Sample) =>
    `| ${name} | ${s.median.toFixed(3)} | ${s.p95.toFixed(3)} | ${Math.round(s.perSecond)} | ${(s.median / baseline.median).toFixed(2)}× |`;
  console.log("| path | median ms | p95 ms | req/s | median vs baseline |");
  console.log("|---|---|---|---|---|");
  console.log(line(`${baselineName} (baseline)`, baseline));
  for (const [name, sample] of rows) console.log(line(name, sample));
}
