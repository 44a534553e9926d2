#!/usr/bin/env node
// npm test after setup: lint, typecheck, unit + integration tests (vitest), e2e (Playwright).
// Runs every step, then prints one summary line: "N passed, N failed".
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const results = join(root, "test-results");
mkdirSync(results, { recursive: true });
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", () => resolve(1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

const steps = [
  { name: "lint (biome)", command: bin("biome"), args: ["check", "."] },
  { name: "typecheck (tsc)", command: bin("tsc"), args: ["--noEmit", "-p", "."] },
  {
    name: "container images (built once, shared by the tests)",
    command: process.execPath,
    args: ["--import", "tsx", join(root, "scripts", "build-images.ts")],
  },
  {
    name: "unit + integration (vitest)",
    command: bin("vitest"),
    args: [
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${join(results, "vitest.json")}`,
    ],
    count: () => {
      const report = readJson(join(results, "vitest.json"));
      return (
        report && {
          passed: report.numPassedTests,
          failed: report.numFailedTests,
          skipped: report.numPendingTests,
        }
      );
    },
  },
  {
    name: "e2e (playwright)",
    command: bin("playwright"),
    args: ["test"],
    count: () => {
      const stats = readJson(join(results, "e2e.json"))?.stats;
      return (
        stats && { passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped }
      );
    },
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\n=== ${step.name} ===`);
  const code = await run(step.command, step.args);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counts = step.count?.();
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped ?? 0;
    if (code !== 0 && counts.failed === 0) failed += 1; // the runner itself failed (e.g. no tests, crash)
  } else if (code === 0) passed += 1;
  else failed += 1;
  lines.push(
    `${code === 0 ? "ok  " : "FAIL"} ${step.name} (${seconds} s)${counts ? `: ${counts.passed} passed, ${counts.failed} failed` : ""}`,
  );
}

console.log(`\n=== summary ===\n${lines.join("\n")}`);
if (!existsSync(join(results, "e2e.json"))) console.log("(no e2e report was written)");
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
