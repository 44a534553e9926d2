import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

// The config is read again in every worker: the environment carries one choice to all of them.
process.env.CLAW_E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 20_000));
process.env.CLAW_E2E_HOME ??= mkdtempSync(join(tmpdir(), "claw-e2e-"));
const port = Number(process.env.CLAW_E2E_PORT);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  outputDir: "test-results/e2e-artifacts",
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      // Chromium's own background traffic has nowhere to go on these machines.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node --import tsx server.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    env: {
      CLAW_HOME: process.env.CLAW_E2E_HOME,
      CLAW_PORT: String(port),
      NEXT_TELEMETRY_DISABLED: "1",
      // The jobs spec's fake Messages API, reached through the job's egress proxy.
      CLAW_EGRESS_RESOLVE: "fake-anthropic.test=127.0.0.1",
    },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
