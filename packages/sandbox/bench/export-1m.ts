/**
 * Benchmark: a 1,000,000-customer export generated and downloaded through real HTTP.
 *
 * The sandbox runs in a child process (peak RSS read from the child itself on exit). The client
 * starts one export matching every customer, follows the task to COM (the counting pass), then
 * downloads the CSV as a stream, counting bytes and lines without keeping them. The baseline is a
 * trivial node:http server, also in a child process, streaming the same number of bytes from one
 * pre-filled buffer; the ratio says how much the sandbox's generation costs over raw transfer.
 *
 * Run: `pnpm --filter @booster-export/sandbox bench` (BENCH_CUSTOMERS overrides the size).
 */
import { type ChildProcess, fork } from "node:child_process"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"
import { record } from "../../../scripts/bench-results.mjs"
import { Customers } from "../src/index.js"

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000)
const RSS_TARGET = 300 * 1024 * 1024
const MiB = 1024 * 1024

interface Ready {
  readonly ready: true
  readonly baseUrl: string
  readonly storageUrl?: string
  readonly apiKey?: string
}

const spawnChild = (
  args: ReadonlyArray<string>,
  script: string
): Promise<{ child: ChildProcess; ready: Ready }> =>
  new Promise((resolve, reject) => {
    const child = fork(script, [], {
      execArgv: [...args],
      env: { ...process.env, BENCH_CUSTOMERS: String(CUSTOMERS) },
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)))
    child.on("message", (message: unknown) => {
      if (typeof message === "object" && message !== null && "ready" in message) {
        child.removeAllListeners("exit")
        resolve({ child, ready: message as Ready })
      }
    })
  })

const stopChild = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => {
    child.on("message", (message: unknown) => {
      if (typeof message === "object" && message !== null && "maxRssBytes" in message) {
        resolve((message as { maxRssBytes: number }).maxRssBytes)
      }
    })
    child.send("stop")
  })

const drain = async (
  url: string
): Promise<{ bytes: number; lines: number; ms: number; declared: number }> => {
  const started = performance.now()
  const response = await fetch(url)
  if (response.status !== 200 || response.body === null)
    throw new Error(`download answered ${response.status}`)
  let bytes = 0
  let lines = 0
  for await (const chunk of response.body) {
    bytes += chunk.length
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
  }
  return {
    bytes,
    lines,
    ms: performance.now() - started,
    declared: Number(response.headers.get("content-length"))
  }
}

const BASELINE_SERVER = `
const http = require("node:http")
const size = Number(process.env.BENCH_BYTES)
const block = Buffer.alloc(64 * 1024, 97)
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/csv", "content-length": String(size) })
  let left = size
  const pump = () => {
    while (left > 0) {
      const part = left >= block.length ? block : block.subarray(0, left)
      left -= part.length
      if (!res.write(part)) return res.once("drain", pump)
    }
    res.end()
  }
  pump()
})
server.listen(0, "127.0.0.1", () => process.send({ ready: true, baseUrl: "http://127.0.0.1:" + server.address().port }))
process.on("message", (m) => m === "stop" && server.close(() => process.send({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0))))
`

const main = async () => {
  const here = fileURLToPath(new URL("./sandbox-process.ts", import.meta.url))
  console.log(`sandbox export benchmark: ${CUSTOMERS.toLocaleString("en")} customers, one brand, every POS`)
  const { child, ready } = await spawnChild(["--import", "tsx"], here)
  const headers = {
    authorization: `Bearer ${ready.apiKey}`,
    "content-type": "application/json",
    accept: "application/json"
  }
  const t0 = performance.now()
  const created = await fetch(`${ready.baseUrl}/customer/CAR/export`, {
    method: "POST",
    headers,
    body: JSON.stringify({ downloadRequestId: "bench-1m", brand: "CAR", posCodes: Customers.posCodes })
  })
  const { asyncTaskId } = (await created.json()) as { asyncTaskId: string }
  let task: { status: string; signedDownloadUrl?: string; totalResults?: number }
  for (;;) {
    task = (await (await fetch(`${ready.baseUrl}/tasks/${asyncTaskId}`, { headers })).json()) as typeof task
    if (task.status === "COM" || task.status === "ERR") break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const generatedMs = performance.now() - t0
  if (task.status !== "COM" || task.signedDownloadUrl === undefined)
    throw new Error(`task ended ${task.status}`)
  const file = await drain(task.signedDownloadUrl)
  const totalMs = performance.now() - t0
  const sandboxRss = await stopChild(child)
  if (file.bytes !== file.declared)
    throw new Error(`received ${file.bytes} bytes, announced ${file.declared}`)
  if (file.lines !== (task.totalResults ?? -1) + 1) throw new Error(`received ${file.lines} lines`)

  const baselineScript = fileURLToPath(
    new URL(`file://${tmpdir()}/booster-bench-baseline-${process.pid}.cjs`)
  )
  const { writeFileSync, rmSync } = await import("node:fs")
  writeFileSync(baselineScript, BASELINE_SERVER)
  process.env.BENCH_BYTES = String(file.bytes)
  let baseline: Awaited<ReturnType<typeof drain>>
  let baselineRss: number
  try {
    const base = await spawnChild([], baselineScript)
    baseline = await drain(`${base.ready.baseUrl}/file`)
    baselineRss = await stopChild(base.child)
  } finally {
    rmSync(baselineScript, { force: true })
  }

  const mb = file.bytes / 1e6
  const rows = task.totalResults ?? 0
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(38)}${value}`)
  line("rows exported", rows.toLocaleString("en"))
  line("file size", `${(file.bytes / MiB).toFixed(1)} MiB`)
  line("export to COM (counting pass)", `${(generatedMs / 1000).toFixed(2)} s`)
  line("download (generate + stream)", `${(file.ms / 1000).toFixed(2)} s`)
  line(
    "download throughput",
    `${(mb / (file.ms / 1000)).toFixed(1)} MB/s, ${Math.round(rows / (file.ms / 1000)).toLocaleString("en")} rows/s`
  )
  line("end to end", `${(totalMs / 1000).toFixed(2)} s`)
  line(
    "sandbox peak RSS",
    `${(sandboxRss / MiB).toFixed(0)} MiB (target < 300 MiB: ${sandboxRss < RSS_TARGET ? "met" : "MISSED"})`
  )
  line(
    "baseline: trivial server, same bytes",
    `${(baseline.ms / 1000).toFixed(2)} s, ${(mb / (baseline.ms / 1000)).toFixed(1)} MB/s, peak RSS ${(baselineRss / MiB).toFixed(0)} MiB`
  )
  line("download time vs baseline", `${(file.ms / baseline.ms).toFixed(1)}x`)
  record({
    name: "sandbox peak RSS, 1M-customer export",
    value: `${(sandboxRss / MiB).toFixed(0)} MiB`,
    goal: "< 300 MiB",
    met: sandboxRss < RSS_TARGET
  })
  if (sandboxRss >= RSS_TARGET) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
