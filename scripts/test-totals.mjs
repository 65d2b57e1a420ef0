#!/usr/bin/env node
/**
 * Totals the vitest JSON reports of every workspace package into one closing line
 * `N passed, N failed`. A package that has a test script but wrote no report counts as one failure.
 * `--clean` removes old reports before a run.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const dirs = ["packages", "apps", "tests"].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : []
)
const withTests = dirs.filter((dir) => {
  const file = join(dir, "package.json")
  return existsSync(file) && JSON.parse(readFileSync(file, "utf8")).scripts?.test
})

if (process.argv.includes("--clean")) {
  for (const dir of withTests) rmSync(join(dir, "test-results.json"), { force: true })
  process.exit(0)
}

let passed = 0
let failed = 0
for (const dir of withTests) {
  const file = join(dir, "test-results.json")
  if (!existsSync(file)) {
    console.log(`no test report from ${dir.slice(root.length)}: counted as a failure`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, "utf8"))
  passed += report.numPassedTests
  failed += report.numFailedTests
  const brokenSuites = report.testResults.filter(
    (suite) => suite.status === "failed" && suite.assertionResults.length === 0
  )
  failed += brokenSuites.length
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
