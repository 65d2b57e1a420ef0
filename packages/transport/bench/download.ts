/**
 * A 1 GiB download from a local server, over plain HTTP and over HTTPS (a throw-away certificate made
 * with `openssl`): this client (bundled and run in its own Node process, so its peak RSS can be read;
 * it hashes, writes a 0600 temporary file, syncs it and renames it into place) against, in the same
 * rounds and interleaved, three references on the same URL from the same server, writing to the same
 * folder — none of which syncs:
 *
 * - plain Node: `http.get`/`https.get` piped to a file (no hash);
 * - `curl -o file` (no hash);
 * - `curl | tee file | openssl sha256`: a verified download from the shell (openssl, because
 *   `sha256sum` here does not use the CPU's SHA instructions and would measure the hash instead).
 *
 * The ratio of each round is taken and the median over the rounds reported, so that the load of a
 * shared machine hits all contenders alike. Goals: at most 1.0x plain Node's time, peak RSS at
 * most 100 MiB, on both protocols. `BENCH_DOWNLOAD_MIB` and `BENCH_DOWNLOAD_ROUNDS` change the size
 * and the number of rounds; `BENCH_DOWNLOAD_BEFORE` names another bundle of `download-child.ts` (an
 * earlier version of the client, say) to run in the same rounds as "before".
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { build } from "esbuild"
import { record } from "../../../scripts/bench-results.mjs"
import { selfSigned } from "../test/fixtures/certificate.js"

const SIZE = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024) * 1024 * 1024
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 5)
const GOAL_RATIO = 1.0
const GOAL_RSS_MIB = 100
const chunk = Buffer.alloc(1024 * 1024, "customer,row,of,synthetic,data\n")

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-bench-"))
const { key, cert } = selfSigned(dir)

const serve: http.RequestListener = (_req, res) => {
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
}
const plainServer = http.createServer(serve)
const tlsServer = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, serve)
const listen = (server: http.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
  )
const FILE = "/files/big.csv?expires=9999999999999&signature=abc"
const urls = {
  http: `http://127.0.0.1:${await listen(plainServer)}${FILE}`,
  https: `https://127.0.0.1:${await listen(tlsServer)}${FILE}`
} as const

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
// the client and plain Node trust the throw-away certificate the way a user's own CA is trusted
const env = { ...process.env, NODE_EXTRA_CA_CERTS: cert }
const timed = async (target: string, work: () => Promise<unknown>) => {
  const t = performance.now()
  await work()
  const ms = performance.now() - t
  fs.rmSync(target, { force: true })
  return { ms }
}
const curl = (url: string) => {
  const target = path.join(dir, "curl.csv")
  return timed(target, () => run("curl", ["-sS", "--cacert", cert, "-o", target, url]))
}
const curlTeeOpenssl = (url: string) => {
  const target = path.join(dir, "tee.csv")
  return timed(target, () =>
    run("bash", [
      "-o",
      "pipefail",
      "-c",
      `curl -sS --cacert "$1" "$2" | tee "$3" | openssl sha256 >/dev/null`,
      "bash",
      cert,
      url,
      target
    ])
  )
}
const PLAIN_NODE = `
const get = process.argv[1].startsWith("https:") ? require("node:https").get : require("node:http").get;
const fs = require("node:fs"); const { pipeline } = require("node:stream/promises");
const t = performance.now(); const c0 = process.cpuUsage();
get(process.argv[1], (res) => pipeline(res, fs.createWriteStream(process.argv[2])).then(() => {
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}));`
const plainNode = async (url: string) => {
  const target = path.join(dir, "node.csv")
  const output = await run(process.execPath, ["-e", PLAIN_NODE, url, target], { encoding: "utf8", env })
  fs.rmSync(target, { force: true })
  return JSON.parse(output.stdout.trim()) as { ms: number; cpuMs: number; maxRssMiB: number }
}
const clientOf = (bundle: string) => async (url: string) => {
  const target = path.join(dir, "client.csv")
  const output = await run(process.execPath, [bundle, url, target], { encoding: "utf8", env })
  fs.rmSync(target)
  return JSON.parse(output.stdout.trim().split("\n").pop()!) as {
    ms: number
    cpuMs: number
    bytes: number
    maxRssMiB: number
  }
}

const before = process.env.BENCH_DOWNLOAD_BEFORE
const contenders = {
  "this client": clientOf(child),
  "plain Node to a file": plainNode,
  "curl -o file": curl,
  "curl | tee | openssl sha256": curlTeeOpenssl,
  ...(before === undefined ? {} : { before: clientOf(before) })
}
type Name = "this client" | "plain Node to a file" | "curl -o file" | "curl | tee | openssl sha256" | "before"
const names = Object.keys(contenders) as Array<Name>
const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const loadBefore = os.loadavg()
const results = {
  http: Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<
    Name,
    Array<{ ms: number; cpuMs?: number; maxRssMiB?: number; bytes?: number }>
  >,
  https: Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<
    Name,
    Array<{ ms: number; cpuMs?: number; maxRssMiB?: number; bytes?: number }>
  >
}
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = (["http", "https"] as const).flatMap((protocol) =>
      names.map((name) => ({ protocol, name }))
    )
    for (let k = 0; k < order.length; k++) {
      const { protocol, name } = order[(round * 3 + k) % order.length]!
      results[protocol][name].push(await contenders[name as keyof typeof contenders]!(urls[protocol]))
    }
  }
} finally {
  plainServer.close()
  tlsServer.close()
  fs.rmSync(dir, { recursive: true, force: true })
}

const sizeLabel = SIZE % 1024 ** 3 === 0 ? `${SIZE / 1024 ** 3} GiB` : `${SIZE / 1024 ** 2} MiB`
const mibps = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000)
console.log(
  `${SIZE / 1024 / 1024} MiB download from a local server, median of ${ROUNDS} interleaved rounds (load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")} before, ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} after, ${os.cpus().length} cores):`
)
for (const protocol of ["http", "https"] as const) {
  const r = results[protocol]
  const bad = [...r["this client"], ...(r.before ?? [])].find((c) => c.bytes !== SIZE)
  if (bad !== undefined) throw new Error(`downloaded ${bad.bytes} of ${SIZE} bytes`)
  const ratio = (name: Name, base: Name) => median(r[name].map((c, i) => c.ms / r[base][i]!.ms))
  console.log(`  over ${protocol}:`)
  for (const name of names) {
    const rss =
      r[name][0]?.maxRssMiB === undefined
        ? ""
        : `${r[name].every((c) => c.cpuMs !== undefined) ? `  CPU ${median(r[name].map((c) => c.cpuMs!)).toFixed(0)} ms` : ""}  peak RSS ${Math.max(...r[name].map((c) => c.maxRssMiB!)).toFixed(0)} MiB`
    console.log(
      `    ${name.padEnd(28)} ${median(r[name].map((c) => c.ms))
        .toFixed(0)
        .padStart(6)} ms  ${mibps(median(r[name].map((c) => c.ms)))
        .toFixed(0)
        .padStart(4)} MiB/s${rss}`
    )
  }
  const cpuRatio = (name: Name, base: Name) => median(r[name].map((c, i) => c.cpuMs! / r[base][i]!.cpuMs!))
  const vsNode = ratio("this client", "plain Node to a file")
  const peak = Math.max(...r["this client"].map((c) => c.maxRssMiB!))
  record({
    name: `${sizeLabel} verified download over ${protocol}`,
    value: `${vsNode.toFixed(2)}× plain Node to a file (CPU ${cpuRatio("this client", "plain Node to a file").toFixed(2)}×)`,
    goal: `≤ ${GOAL_RATIO.toFixed(1)}×`,
    met: vsNode <= GOAL_RATIO
  })
  record({
    name: `peak RSS of a ${sizeLabel} download over ${protocol}`,
    value: `${peak.toFixed(0)} MiB`,
    goal: `≤ ${GOAL_RSS_MIB} MiB`,
    met: peak <= GOAL_RSS_MIB
  })
  console.log(
    `    CPU time (wall times need an idle machine): this client ${cpuRatio("this client", "plain Node to a file").toFixed(2)}x plain Node${before === undefined ? "" : `, before ${cpuRatio("before", "plain Node to a file").toFixed(2)}x plain Node, this client ${cpuRatio("this client", "before").toFixed(2)}x before`}\n${before === undefined ? "" : `    before: ${ratio("before", "plain Node to a file").toFixed(2)}x plain Node to a file; this client ${ratio("this client", "before").toFixed(2)}x before\n`}    this client: ${vsNode.toFixed(2)}x plain Node to a file ${vsNode <= GOAL_RATIO ? "✔" : "✘"} (goal <= ${GOAL_RATIO.toFixed(1)}x), ${ratio("this client", "curl -o file").toFixed(2)}x curl -o, ${ratio("this client", "curl | tee | openssl sha256").toFixed(2)}x curl | tee | openssl sha256; peak RSS ${peak.toFixed(0)} MiB ${peak <= GOAL_RSS_MIB ? "✔" : "✘"} (goal <= ${GOAL_RSS_MIB} MiB)`
  )
}
