import { readFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

/**
 * Vitest's order (the longest files of the last run first; without one, the largest files first),
 * except that files running a shared suite (`import … from "./x-suite.js"`, e.g. booster-mcp's stdio
 * tests, one file per client generation) come first: they are small, but run as long as the suite.
 */
class SuitesFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const ordered = await super.sort(files)
    const runsSuite = (file: TestSpecification) =>
      /from "\.\/[\w-]+-suite\.js"/.test(readFileSync(file.moduleId, "utf8"))
    return [...ordered.filter(runsSuite), ...ordered.filter((file) => !runsSuite(file))]
  }
}

// `npm test` runs every package's tests in one vitest run, each package as a project with its own
// config (timeouts, global setups). The files share one pool of workers across packages, so that the
// longest files start first and both cores stay busy; most of their time is spent waiting on the
// processes, servers and timers they drive, hence one worker more than there are cores. One
// PostgreSQL cluster serves the whole run (scripts/postgres-test-cluster.mjs), each test in a database
// of its own.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests/*", "tooling"],
    maxWorkers: availableParallelism() + 1,
    minWorkers: 1,
    sequence: { sequencer: SuitesFirst }
  }
})
