/**
 * A 1 GiB download from a local server: this client (bundled and run in its own Node process, so
 * its peak RSS can be read) versus `curl` on the same URL from the same server, writing to the same
 * folder. For context, the same script also times a bare Node `http.get` piped to a file and one that
 * only reads the socket (no disk): Node's own ceilings on this machine. Contenders run interleaved
 * over several rounds; the ratio is the median of per-round ratios. Prints throughput, the ratio
 * (target >= 0.8x curl) and the client's peak RSS (target <= 150 MiB).
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { build } from "esbuild"

const SIZE = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024) * 1024 * 1024
const chunk = Buffer.alloc(1024 * 1024, "customer,row,of,synthetic,data\n")

const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/csv", "content-length": String(SIZE) })
  let sent = 0
  const pump = () => {
    while (sent < SIZE) {
      const piece = SIZE - sent >= chunk.length ? chunk : chunk.subarray(0, SIZE - sent)
      sent += piece.length
      if (!res.write(piece)) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/big.csv?expires=9999999999999&signature=abc`
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-bench-"))
const here = path.dirname(fileURLToPath(import.meta.url))
const child = path.join(here, "..", ".bench", "download-child.mjs")
await build({
  entryPoints: [path.join(here, "download-child.ts")],
  outfile: child,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "error",
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);'
  }
})

const run = promisify(execFile)
const runCurl = async () => {
  const target = path.join(dir, "curl.csv")
  const t = performance.now()
  await run("curl", ["-sS", "-o", target, url])
  const ms = performance.now() - t
  fs.rmSync(target)
  return ms
}
const PLAIN_NODE = `
const http = require("node:http"); const fs = require("node:fs"); const { pipeline } = require("node:stream/promises");
const t = performance.now();
const done = () => console.log(JSON.stringify({ ms: performance.now() - t }));
http.get(process.argv[1], (res) => process.argv[2] === "-"
  ? res.on("data", () => {}).on("end", done)
  : pipeline(res, fs.createWriteStream(process.argv[2])).then(done));`
const runPlainNode = async (toDisk: boolean) => {
  const target = path.join(dir, "node.csv")
  const output = await run(process.execPath, ["-e", PLAIN_NODE, url, toDisk ? target : "-"], {
    encoding: "utf8"
  })
  fs.rmSync(target, { force: true })
  return (JSON.parse(output.stdout.trim()) as { ms: number }).ms
}
const runClient = async () => {
  const target = path.join(dir, "client.csv")
  const output = await run(process.execPath, [child, url, target], { encoding: "utf8" })
  fs.rmSync(target)
  return JSON.parse(output.stdout.trim().split("\n").pop()!) as {
    ms: number
    bytes: number
    maxRssMiB: number
  }
}

const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 3)
const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

try {
  const curl: Array<number> = []
  const plain: Array<number> = []
  const socketOnly: Array<number> = []
  const client: Array<{ ms: number; bytes: number; maxRssMiB: number }> = []
  for (let i = 0; i < ROUNDS; i++) {
    const order = [
      async () => curl.push(await runCurl()),
      async () => client.push(await runClient()),
      async () => plain.push(await runPlainNode(true)),
      async () => socketOnly.push(await runPlainNode(false))
    ]
    for (let k = 0; k < order.length; k++) await order[(i + k) % order.length]!()
  }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const mibps = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000)
  const bad = client.find((c) => c.bytes !== SIZE)
  if (bad !== undefined) throw new Error(`downloaded ${bad.bytes} of ${SIZE} bytes`)
  const peak = Math.max(...client.map((c) => c.maxRssMiB))
  const clientMs = client.map((c) => c.ms)
  const row = (name: string, ms: ReadonlyArray<number>, note = "") =>
    console.log(
      `  ${name.padEnd(22)} ${median(ms).toFixed(0).padStart(6)} ms  ${mibps(median(ms)).toFixed(0).padStart(4)} MiB/s  ${median(ms.map((m, i) => curl[i]! / m)).toFixed(2)}x curl${note}`
    )
  console.log(
    `${SIZE / 1024 / 1024} MiB download from a local server (median of ${ROUNDS} interleaved rounds):`
  )
  row("curl -o file", curl)
  row("this client", clientMs)
  row("plain Node to a file", plain, "  (http.get piped to a file)")
  row("plain Node, no disk", socketOnly, "  (http.get, socket read only: Node's ceiling)")
  console.log(
    `  throughput    ${median(clientMs.map((m, i) => curl[i]! / m)).toFixed(2)}x curl (target >= 0.8x)`
  )
  console.log(`  peak RSS of the downloading process: ${peak.toFixed(0)} MiB (target <= 150 MiB)`)
} finally {
  server.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
