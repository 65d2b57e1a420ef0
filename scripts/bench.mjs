#!/usr/bin/env node
/**
 * `pnpm bench`: runs every package's benchmark one after another (turbo, concurrency 1, so that no
 * benchmark competes with another for the machine), then prints one table of every figure that has a
 * goal — the figure, its goal and ✔ or ✘ — and exits 1 when a goal is missed or a benchmark failed.
 * Arguments are passed to turbo (`pnpm bench --filter booster`).
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "booster-bench-results-"))
const results = join(dir, "results.jsonl")
try {
  const run = spawnSync(
    process.execPath,
    [
      join(root, "scripts", "pnpm.mjs"),
      "--ensure-install",
      "exec",
      "turbo",
      "run",
      "bench",
      "--concurrency=1",
      ...process.argv.slice(2)
    ],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, BOOSTER_BENCH_RESULTS: results, TURBO_TELEMETRY_DISABLED: "1" }
    }
  )
  const figures = existsSync(results)
    ? readFileSync(results, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line))
    : []
  const width = (key, title) => Math.max(title.length, ...figures.map((f) => String(f[key]).length))
  const columns = [
    ["package", "package"],
    ["name", "figure"],
    ["value", "measured"],
    ["goal", "goal"]
  ].map(([key, title]) => ({ key, title, width: width(key, title) }))
  const row = (cells) => cells.map((cell, i) => String(cell).padEnd(columns[i].width)).join("  ")
  console.log(`\nbenchmark goals (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`)
  console.log(`${row(columns.map((c) => c.title))}  met`)
  for (const f of figures) console.log(`${row(columns.map((c) => f[c.key]))}  ${f.met ? "✔" : "✘"}`)
  const missed = figures.filter((f) => !f.met).length
  console.log(
    `${figures.length} figures: ${figures.length - missed} met, ${missed} missed${run.status === 0 ? "" : "; a benchmark failed"}`
  )
  process.exitCode = run.status !== 0 || missed > 0 ? 1 : 0
} finally {
  rmSync(dir, { recursive: true, force: true })
}
