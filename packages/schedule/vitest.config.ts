import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // a throw-away PostgreSQL cluster for the team store's tests (skipped, saying why, without one)
    globalSetup: ["../../scripts/postgres-test-cluster.mjs"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
