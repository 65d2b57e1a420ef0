/**
 * Summary benchmark: the counts-only summary of the 1,000,000-customer sandbox export (≈234 MiB),
 * by core's scanner (`Summary.summarize`, what summarize_export_file runs) and by the scanner
 * booster-mcp used before (test/legacy/summarize.ts), against two plain Node programs that read the
 * same file and count its lines: `Buffer.indexOf(10)` over 1 MiB chunks, and `node:readline`. Each
 * run is a child process (time measured inside the child from opening the file to the answer,
 * peak RSS read by the child on exit); the programs run interleaved, median of BENCH_RUNS
 * (default 5). Both summaries must give the same counts (a digest of every group, minimum group
 * size 1, is compared).
 *
 * Targets for core's summary, in CPU time (the work done; on a shared machine wall time also counts
 * the wait for a core, and both are printed): at most 10× the `indexOf` line count, at most 1.2×
 * the readline line count; peak RSS at most 200 MiB.
 *
 * A fifth program is what summarize_export_file now runs: the scan with at most three list values
 * per customer, then the differentially private release of every dimension (`PrivateSummary.release`,
 * ε 1, minimum group size 10: noise, thresholds and suppression, off the scan loop). Its targets: at
 * most 3× the readline line count in CPU time, peak RSS at most 200 MiB; the release's own time is
 * printed.
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
import { record } from "../../../scripts/bench-results.mjs"

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const INDEXOF_TARGET = 10
const READLINE_TARGET = 1.2
const PRIVATE_READLINE_TARGET = 3
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

/** A summary runner: `summarize` of core, or of the scanner of before, over the file. */
const runner = (importLine: string) => `
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
${importLine}
const started = performance.now()
const cpu = process.cpuUsage()
const summary = await summarize(createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), { minimumGroupSize: 1 })
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
const digest = createHash("sha256").update(JSON.stringify(summary)).digest("hex")
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count: summary.rows, maxRss: process.resourceUsage().maxRSS * 1024, digest }))
`

const NOW = runner(`import { Summary } from "@booster-export/core"
const summarize = Summary.summarize`)

/** What summarize_export_file runs: the exact counts, then their private release. */
const PRIVATE = `
import { createReadStream } from "node:fs"
import { PrivateSummary, SummaryScanner } from "@booster-export/core"
const started = performance.now()
const cpu = process.cpuUsage()
const counts = await SummaryScanner.scan(createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), { maxValuesPerRow: PrivateSummary.DEFAULT_MAX_LIST_VALUES })
const releaseStarted = performance.now()
const summary = PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10 })
const releaseMs = performance.now() - releaseStarted
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count: counts.rows, noisyRows: summary.rows, releaseMs, maxRss: process.resourceUsage().maxRSS * 1024 }))
`

const BEFORE = runner(`import { summarize } from "./test/legacy/summarize.ts"`)

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
  readonly digest?: string
  readonly releaseMs?: number
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

const bundle = (contents: string, outfile: string) =>
  build({
    stdin: { contents, resolveDir: root, sourcefile: "runner.ts", loader: "ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning"
  })

const main = async () => {
  const file = process.env.BENCH_FILE ?? join(tmpdir(), `booster-bench-customers-${CUSTOMERS}.csv`)
  if (!existsSync(file)) await generate(file)
  const scratch = mkdtempSync(join(tmpdir(), "booster-mcp-bench-summary-"))
  try {
    const programs = {
      indexOf: join(scratch, "count-lines.mjs"),
      readline: join(scratch, "readline.mjs"),
      before: join(scratch, "summary-before.mjs"),
      now: join(scratch, "summary-now.mjs"),
      private: join(scratch, "summary-private.mjs")
    }
    writeFileSync(programs.indexOf, BASELINE)
    writeFileSync(programs.readline, READLINE)
    await bundle(BEFORE, programs.before)
    await bundle(NOW, programs.now)
    await bundle(PRIVATE, programs.private)
    const runs: Record<keyof typeof programs, Array<Run>> = {
      indexOf: [],
      readline: [],
      before: [],
      now: [],
      private: []
    }
    for (let i = 0; i < RUNS; i++) {
      for (const name of ["indexOf", "readline", "before", "now", "private"] as const)
        runs[name].push(await run(programs[name], file))
    }
    const rows = runs.now[0]!.count
    if (runs.private[0]!.count !== rows) throw new Error("the private summary read another number of rows")
    for (const name of ["indexOf", "readline"] as const) {
      if (runs[name][0]!.count !== rows + 1)
        throw new Error(`summary read ${rows} rows, the file has ${runs[name][0]!.count} lines`)
    }
    const identical = [...runs.before, ...runs.now].every((r) => r.digest === runs.now[0]!.digest)
    const wall = (name: keyof typeof programs) => median(runs[name].map((r) => r.ms))
    const cpu = (name: keyof typeof programs) => median(runs[name].map((r) => r.cpuMs))
    const rss = (name: keyof typeof programs) => Math.max(...runs[name].map((r) => r.maxRss))
    const line = (label: string, value: string) => console.log(`  ${label.padEnd(46)}${value}`)
    const mark = (met: boolean) => (met ? "✔" : "✘")
    const figures = (name: keyof typeof programs) =>
      `${(wall(name) / 1000).toFixed(2)} s wall, ${(cpu(name) / 1000).toFixed(2)} s CPU, peak RSS ${(rss(name) / MiB).toFixed(0)} MiB`
    const ratio = (name: keyof typeof programs, baseline: keyof typeof programs) =>
      `${(wall(name) / wall(baseline)).toFixed(2)}x wall, ${(cpu(name) / cpu(baseline)).toFixed(2)}x CPU`
    console.log(`summary benchmark: ${rows.toLocaleString("en")} rows, median of ${RUNS} interleaved runs`)
    line("file size", `${(statSync(file).size / MiB).toFixed(1)} MiB`)
    line("baseline: line count (Buffer.indexOf)", figures("indexOf"))
    line("baseline: line count (node:readline)", figures("readline"))
    line("summary before (booster-mcp's own scanner)", figures("before"))
    line("summary now (core's Summary)", figures("now"))
    line("the tool now (scan + private release)", figures("private"))
    line(
      "  of which the private release",
      `${median(runs.private.map((r) => r.releaseMs ?? 0)).toFixed(1)} ms`
    )
    line("before vs indexOf / readline", `${ratio("before", "indexOf")} / ${ratio("before", "readline")}`)
    line("now vs before", ratio("now", "before"))
    const goals = [
      [
        `now vs Buffer.indexOf line count (≤ ${INDEXOF_TARGET}x CPU)`,
        ratio("now", "indexOf"),
        cpu("now") <= INDEXOF_TARGET * cpu("indexOf")
      ],
      [
        `now vs readline line count (≤ ${READLINE_TARGET}x CPU)`,
        ratio("now", "readline"),
        cpu("now") <= READLINE_TARGET * cpu("readline")
      ],
      ["now peak RSS (≤ 200 MiB)", `${(rss("now") / MiB).toFixed(0)} MiB`, rss("now") <= RSS_TARGET],
      ["now and before give the same counts", identical ? "identical" : "DIFFERENT", identical],
      [
        `private vs readline line count (≤ ${PRIVATE_READLINE_TARGET}x CPU)`,
        ratio("private", "readline"),
        cpu("private") <= PRIVATE_READLINE_TARGET * cpu("readline")
      ],
      [
        "private peak RSS (≤ 200 MiB)",
        `${(rss("private") / MiB).toFixed(0)} MiB`,
        rss("private") <= RSS_TARGET
      ]
    ] as const
    for (const [label, value, met] of goals) line(label, `${value} ${mark(met)}`)
    const wallRatio = (baseline: keyof typeof programs) => wall("now") / wall(baseline)
    const cpuRatio = (baseline: keyof typeof programs) => cpu("now") / cpu(baseline)
    for (const [name, baseline, target] of [
      ["summary vs Buffer.indexOf line count", "indexOf", INDEXOF_TARGET],
      ["summary vs readline line count", "readline", READLINE_TARGET]
    ] as const) {
      record({
        name: `${name}, wall`,
        value: `${wallRatio(baseline).toFixed(2)}×`,
        goal: `≤ ${target}×`,
        met: wallRatio(baseline) <= target
      })
      record({
        name: `${name}, CPU`,
        value: `${cpuRatio(baseline).toFixed(2)}×`,
        goal: `≤ ${target}×`,
        met: cpuRatio(baseline) <= target
      })
    }
    record({
      name: "summary peak RSS",
      value: `${(rss("now") / MiB).toFixed(0)} MiB`,
      goal: "≤ 200 MiB",
      met: rss("now") <= RSS_TARGET
    })
    record({
      name: "summary counts equal the previous scanner's",
      value: identical ? "identical" : "different",
      goal: "identical",
      met: identical
    })
    const privateWall = wall("private") / wall("readline")
    const privateCpu = cpu("private") / cpu("readline")
    record({
      name: "summarize_export_file (scan + private release) vs readline line count, wall",
      value: `${privateWall.toFixed(2)}×`,
      goal: `≤ ${PRIVATE_READLINE_TARGET}×`,
      met: privateWall <= PRIVATE_READLINE_TARGET
    })
    record({
      name: "summarize_export_file (scan + private release) vs readline line count, CPU",
      value: `${privateCpu.toFixed(2)}×`,
      goal: `≤ ${PRIVATE_READLINE_TARGET}×`,
      met: privateCpu <= PRIVATE_READLINE_TARGET
    })
    record({
      name: "summarize_export_file (scan + private release) peak RSS",
      value: `${(rss("private") / MiB).toFixed(0)} MiB`,
      goal: "≤ 200 MiB",
      met: rss("private") <= RSS_TARGET
    })
    if (goals.some(([, , met]) => !met)) process.exitCode = 1
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
