import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: [
      "server/**/*.test.ts",
      "cli/**/*.test.ts",
      "scripts/**/*.test.ts",
      "test/**/*.test.ts",
      // The UI's pure helpers (parsers, formatting); components themselves are covered by e2e.
      "components/**/*.test.ts",
      "shared/**/*.test.ts",
    ],
    environment: "node",
    // Integration tests drive real Podman and real servers: generous, but never a wall-clock assertion.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
