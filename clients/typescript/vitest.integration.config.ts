import { defineConfig } from "vitest/config";

// Integration tests: against the real server (bin/monograph serve --demo, started by the
// tests on a temporary data dir and a free port).
export default defineConfig({
  test: {
    include: ["test/integration/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
