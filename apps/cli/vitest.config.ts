import { defineConfig } from "vitest/config"

// The tests spawn the bundled binary (built once, before the files run) and drive real terminals;
// generous limits keep them reliable on a loaded two-core machine. The team-journal tests get a throw-away PostgreSQL cluster (skipped,
// saying why, where there is none).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts", "../../scripts/postgres-test-cluster.mjs"],
    testTimeout: 90_000,
    hookTimeout: 180_000
  }
})
