/**
 * Size of core in a web form: the minified browser bundle that validates, describes, wire-encodes
 * and fingerprints an export of any kind (the same entry the purity test builds), gzipped.
 * Goal: ≤ 125 KiB gzip. Run: `pnpm bench` (or `npx tsx bench/bundle.ts`).
 */
import { gzipSync } from "node:zlib"
import { record } from "../../../scripts/bench-results.mjs"
import { browserBundle, browserEntry } from "../test/browser-bundle.js"

const GOAL_KIB = 125
const result = await browserBundle(browserEntry)
if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.text).join("\n"))
const output = result.outputFiles[0]!.contents
const kib = gzipSync(output).length / 1024
console.log(
  `core for the browser: ${(output.length / 1024).toFixed(1)} KiB minified, ${kib.toFixed(1)} KiB gzip`
)
record({
  name: "core browser bundle, every kind",
  value: `${kib.toFixed(1)} KiB gzip`,
  goal: `≤ ${GOAL_KIB} KiB`,
  met: kib <= GOAL_KIB
})
if (kib > GOAL_KIB) process.exitCode = 1
