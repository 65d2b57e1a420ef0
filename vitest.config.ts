import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

// `npm test` runs every package's tests in one vitest run, each package as a project with its own
// config (timeouts, global setups). The files share one pool of workers across packages, so that the
// longest files start first and both cores stay busy; most of their time is spent waiting on the
// processes, servers and timers they drive, hence one worker more than there are cores. One
// PostgreSQL cluster serves the whole run (scripts/postgres-test-cluster.mjs), each test in a database
// of its own.
const workers = availableParallelism() + 1

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests/*", "tooling"],
    maxWorkers: workers,
    minWorkers: 1
  }
})
