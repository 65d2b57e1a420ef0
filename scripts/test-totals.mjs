#!/usr/bin/env node
/**
 * Totals the vitest JSON report of `npm test` (one run of every package, `test-results.json` at the
 * root; else the reports each package's own `test` script wrote) into one closing line
 * `N passed, N failed`, after the ten slowest test files with their seconds. A package that has a test
 * script but no test file in the report counts as one failure, and so does a file that failed
 * without running a test. `--clean` removes old reports before a run.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const rootReport = join(root, "test-results.json")
const dirs = [
  ...["packages", "apps", "tests"].flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : []
  ),
  join(root, "tooling")
]
const withTests = dirs.filter((dir) => {
  const file = join(dir, "package.json")
  return existsSync(file) && JSON.parse(readFileSync(file, "utf8")).scripts?.test
})

if (process.argv.includes("--clean")) {
  rmSync(rootReport, { force: true })
  for (const dir of withTests) rmSync(join(dir, "test-results.json"), { force: true })
  process.exit(0)
}

const read = (file) => JSON.parse(readFileSync(file, "utf8"))
const reports = existsSync(rootReport)
  ? [read(rootReport)]
  : withTests.flatMap((dir) =>
      existsSync(join(dir, "test-results.json")) ? [read(join(dir, "test-results.json"))] : []
    )
const files = reports.flatMap((report) => report.testResults)

let passed = 0
let failed = 0
for (const report of reports) {
  passed += report.numPassedTests
  failed += report.numFailedTests
}
for (const dir of withTests) {
  if (!files.some((file) => file.name.startsWith(`${dir}/`))) {
    console.log(`no test report from ${relative(root, dir)}: counted as a failure`)
    failed += 1
  }
}
failed += files.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length

const slowest = files
  .map((file) => ({ name: relative(root, file.name), seconds: (file.endTime - file.startTime) / 1000 }))
  .sort((a, b) => b.seconds - a.seconds)
  .slice(0, 10)
if (slowest.length > 0) {
  console.log("slowest test files:")
  for (const { name, seconds } of slowest) console.log(`${seconds.toFixed(1).padStart(7)} s  ${name}`)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
