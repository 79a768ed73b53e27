import { defineConfig } from "vitest/config";

// Unit tests: against the server's recorded answers (test/fixtures/recorded.json).
export default defineConfig({
  test: {
    include: ["test/*.test.ts"],
    environment: "node",
  },
});
