/**
 * Summary benchmark: the counts-only summary of the 1,000,000-customer sandbox export (≈234 MiB)
 * against a plain Node program that reads the same file and counts its lines, each in its own
 * child process (time measured inside the child from opening the file to the answer, peak RSS
 * read by the child on exit), runs interleaved, median of BENCH_RUNS (default 3).
 * Targets: at most 3× the line count's time, peak RSS at most 200 MiB.
 *
 * The file is generated once with the sandbox (as packages/sandbox/bench/export-1m.ts does: one
 * export of every customer, downloaded over HTTP) and kept in the temporary directory; BENCH_FILE
 * names another file, BENCH_CUSTOMERS another size.
 */
import { execFile } from "node:child_process"
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { rename } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { fileURLToPath } from "node:url"
import { Customers, Sandbox } from "@booster-export/sandbox"
import { build } from "esbuild"

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const RATIO_TARGET = 3
const RSS_TARGET = 200 * 1024 * 1024
const MiB = 1024 * 1024
const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const generate = async (path: string): Promise<void> => {
  console.log(`generating ${CUSTOMERS.toLocaleString("en")} customers with the sandbox into ${path} …`)
  const sandbox = await Sandbox.start({ customers: CUSTOMERS, brands: ["CAR"], taskDurationMs: 0 })
  try {
    const headers = {
      authorization: `Bearer ${sandbox.apiKey}`,
      "content-type": "application/json",
      accept: "application/json"
    }
    const created = await fetch(`${sandbox.baseUrl}/customer/CAR/export`, {
      method: "POST",
      headers,
      body: JSON.stringify({ downloadRequestId: "bench-summary", brand: "CAR", posCodes: Customers.posCodes })
    })
    const { asyncTaskId } = (await created.json()) as { asyncTaskId: string }
    let task: { status: string; signedDownloadUrl?: string }
    for (;;) {
      task = (await (
        await fetch(`${sandbox.baseUrl}/tasks/${asyncTaskId}`, { headers })
      ).json()) as typeof task
      if (task.status === "COM" || task.status === "ERR") break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (task.signedDownloadUrl === undefined) throw new Error(`the export ended ${task.status}`)
    const response = await fetch(task.signedDownloadUrl)
    if (response.body === null) throw new Error(`the download answered ${response.status}`)
    const partial = `${path}.partial`
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial))
    await rename(partial, path)
  } finally {
    await sandbox.close()
  }
}

const RUNNER = `
import { createReadStream } from "node:fs"
import { summarize, effectiveMinimum } from "${join(root, "src", "summary", "summarize.ts").replaceAll("\\", "/")}"
const started = performance.now()
const cpu = process.cpuUsage()
const summary = await summarize(createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), effectiveMinimum(undefined))
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count: summary.rows, maxRss: process.resourceUsage().maxRSS * 1024 }))
`

const BASELINE = `
import { createReadStream } from "node:fs"
const started = performance.now()
const cpu = process.cpuUsage()
let lines = 0
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 20 })) {
  let i = -1
  while ((i = chunk.indexOf(10, i + 1)) !== -1) lines++
}
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count: lines, maxRss: process.resourceUsage().maxRSS * 1024 }))
`

const READLINE = `
import { createReadStream } from "node:fs"
import { createInterface } from "node:readline"
const started = performance.now()
const cpu = process.cpuUsage()
let lines = 0
for await (const _ of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) lines++
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count: lines, maxRss: process.resourceUsage().maxRSS * 1024 }))
`

interface Run {
  readonly ms: number
  readonly cpuMs: number
  readonly count: number
  readonly maxRss: number
}

const run = (script: string, file: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [script, file], (error, stdout) => {
      if (error !== null) reject(error)
      else resolve(JSON.parse(stdout) as Run)
    })
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const main = async () => {
  const file = process.env.BENCH_FILE ?? join(tmpdir(), `booster-bench-customers-${CUSTOMERS}.csv`)
  if (!existsSync(file)) await generate(file)
  const scratch = mkdtempSync(join(tmpdir(), "booster-mcp-bench-summary-"))
  try {
    const runner = join(scratch, "summary.mjs")
    const lineCount = join(scratch, "count-lines.mjs")
    const readline = join(scratch, "readline.mjs")
    writeFileSync(join(scratch, "runner.mjs"), RUNNER)
    writeFileSync(lineCount, BASELINE)
    writeFileSync(readline, READLINE)
    await build({
      entryPoints: [join(scratch, "runner.mjs")],
      outfile: runner,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning"
    })
    const summaries: Array<Run> = []
    const counts: Array<Run> = []
    const readlines: Array<Run> = []
    for (let i = 0; i < RUNS; i++) {
      counts.push(await run(lineCount, file))
      readlines.push(await run(readline, file))
      summaries.push(await run(runner, file))
    }
    const rows = summaries[0]!.count
    for (const baseline of [counts[0]!, readlines[0]!]) {
      if (baseline.count !== rows + 1)
        throw new Error(`summary read ${rows} rows, the file has ${baseline.count} lines`)
    }
    const wall = (runs: ReadonlyArray<Run>) => median(runs.map((r) => r.ms))
    const cpu = (runs: ReadonlyArray<Run>) => median(runs.map((r) => r.cpuMs))
    const rss = (runs: ReadonlyArray<Run>) => Math.max(...runs.map((r) => r.maxRss))
    const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)}${value}`)
    const figures = (runs: ReadonlyArray<Run>) =>
      `${(wall(runs) / 1000).toFixed(2)} s wall, ${(cpu(runs) / 1000).toFixed(2)} s CPU, peak RSS ${(rss(runs) / MiB).toFixed(0)} MiB`
    console.log(`summary benchmark: ${rows.toLocaleString("en")} rows, median of ${RUNS} interleaved runs`)
    line("file size", `${(statSync(file).size / MiB).toFixed(1)} MiB`)
    line("baseline: line count (Buffer.indexOf)", figures(counts))
    line("baseline: line count (node:readline)", figures(readlines))
    line("summary (summarize_export_file)", figures(summaries))
    const ratio = (baseline: ReadonlyArray<Run>) =>
      `${(wall(summaries) / wall(baseline)).toFixed(1)}x wall, ${(cpu(summaries) / cpu(baseline)).toFixed(1)}x CPU`
    line("summary vs Buffer.indexOf line count", ratio(counts))
    const target = cpu(summaries) / cpu(readlines)
    line(
      "summary vs readline line count",
      `${ratio(readlines)} (target ≤ ${RATIO_TARGET}x CPU: ${target <= RATIO_TARGET ? "met" : "MISSED"})`
    )
    const peak = rss(summaries)
    line(
      "summary peak RSS",
      `${(peak / MiB).toFixed(0)} MiB (target ≤ 200 MiB: ${peak <= RSS_TARGET ? "met" : "MISSED"})`
    )
    if (target > RATIO_TARGET || peak > RSS_TARGET) process.exitCode = 1
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
