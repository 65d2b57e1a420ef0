/**
 * A 1 GiB download from a local server: this client (bundled and run in its own Node process, so
 * its peak RSS can be read) versus `curl` on the same URL, writing to the same folder. Prints throughput, the ratio
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
http.get(process.argv[1], (res) => pipeline(res, fs.createWriteStream(process.argv[2])).then(() =>
  console.log(JSON.stringify({ ms: performance.now() - t, bytes: fs.statSync(process.argv[2]).size, maxRssMiB: process.resourceUsage().maxRSS / 1024 }))));`
const runPlainNode = async () => {
  const target = path.join(dir, "node.csv")
  const output = await run(process.execPath, ["-e", PLAIN_NODE, url, target], { encoding: "utf8" })
  fs.rmSync(target)
  return JSON.parse(output.stdout.trim()) as { ms: number }
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

try {
  const curl: Array<number> = []
  const plain: Array<number> = []
  const client: Array<{ ms: number; bytes: number; maxRssMiB: number }> = []
  for (let i = 0; i < 2; i++) {
    curl.push(await runCurl())
    plain.push((await runPlainNode()).ms)
    client.push(await runClient())
  }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const curlMs = Math.min(...curl)
  const best = client.reduce((a, b) => (a.ms <= b.ms ? a : b))
  const mibps = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000)
  const peak = Math.max(...client.map((c) => c.maxRssMiB))
  if (best.bytes !== SIZE) throw new Error(`downloaded ${best.bytes} of ${SIZE} bytes`)
  console.log(`${SIZE / 1024 / 1024} MiB download from a local server (best of 2):`)
  console.log(`  curl          ${curlMs.toFixed(0).padStart(6)} ms  ${mibps(curlMs).toFixed(0)} MiB/s`)
  const plainMs = Math.min(...plain)
  console.log(
    `  plain Node    ${plainMs.toFixed(0).padStart(6)} ms  ${mibps(plainMs).toFixed(0)} MiB/s  (http.get piped to a file: Node's own ceiling)`
  )
  console.log(`  this client   ${best.ms.toFixed(0).padStart(6)} ms  ${mibps(best.ms).toFixed(0)} MiB/s`)
  console.log(`  throughput    ${(curlMs / best.ms).toFixed(2)}x curl (target >= 0.8x)`)
  console.log(`  peak RSS of the downloading process: ${peak.toFixed(0)} MiB (target <= 150 MiB)`)
} finally {
  server.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
