/**
 * The figures of `pnpm bench`, gathered into one table. Each benchmark calls `record` for every figure
 * that has a goal; `scripts/bench.mjs` gives every benchmark the same results file
 * (`BOOSTER_BENCH_RESULTS`, one JSON object per line) and prints the table when they are done. A
 * benchmark run on its own (`npx tsx bench/x.ts`) records nothing and prints only its own lines.
 */
import { appendFileSync } from "node:fs"

/**
 * Records one figure: `name` says what was measured, `value` the figure as printed (`1.12×`,
 * `86 MiB`), `goal` what it must be (`≤ 2.0× node -e 0`), `met` whether it is.
 *
 * @param {{ readonly name: string, readonly value: string, readonly goal: string, readonly met: boolean }} figure
 */
export const record = (figure) => {
  const file = process.env.BOOSTER_BENCH_RESULTS
  if (file === undefined || file === "") return
  appendFileSync(file, `${JSON.stringify({ ...figure, package: process.env.npm_package_name ?? "" })}\n`)
}
