import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the bundle is built once; the replica tests get a throw-away PostgreSQL cluster (skipped, saying
    // why, where there is none)
    globalSetup: ["test/global-setup.ts", "../../scripts/postgres-test-cluster.mjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
