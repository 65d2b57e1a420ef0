/**
 * Start-up benchmark: spawn → initialize → tools/list over stdio, median wall time, as a ratio to
 * `node -e 0` and to the SDK's floor (bench/floor.ts: a bare SDK v2 server with one trivial tool,
 * bundled and launched like booster-mcp), all measured in the same run (runs interleaved). Builds
 * both bundles first.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { record } from "../../../scripts/bench-results.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "dist", "booster-mcp.cjs")
const floorDir = join(root, ".bench", "floor")
const floorBin = join(floorDir, "booster-mcp.cjs")
const runs = Number(process.env.BENCH_RUNS ?? 15)
const scratch = mkdtempSync(join(tmpdir(), "booster-mcp-bench-"))
const env = {
  PATH: process.env.PATH ?? "",
  HOME: scratch,
  XDG_STATE_HOME: join(scratch, "state"),
  XDG_DATA_HOME: join(scratch, "data")
}

const baseline = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ["-e", "0"], { env, stdio: "ignore" })
    child.once("error", reject)
    child.once("exit", () => resolve(performance.now() - started))
  })

const message = (id: number, method: string, params: object = {}) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`

/** The size of the last `tools/list` result booster-mcp answered, as the client receives it. */
let toolsListBytes = 0

const server = (args: ReadonlyArray<string>, program = bin): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [program, ...args], { env, stdio: ["pipe", "pipe", "ignore"] })
    let buffer = ""
    child.once("error", reject)
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      let newline = buffer.indexOf("\n")
      while (newline !== -1) {
        const reply = JSON.parse(buffer.slice(0, newline)) as {
          id?: number
          result?: { tools?: Array<unknown> }
        }
        buffer = buffer.slice(newline + 1)
        if (reply.id === 1) {
          child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
          child.stdin.write(message(2, "tools/list"))
        } else if (reply.id === 2) {
          const elapsed = performance.now() - started
          if ((reply.result?.tools?.length ?? 0) === 0) reject(new Error("tools/list answered no tools"))
          if (program === bin) toolsListBytes = Buffer.byteLength(JSON.stringify(reply.result), "utf8")
          child.stdin.end()
          child.once("exit", () => resolve(elapsed))
        }
        newline = buffer.indexOf("\n")
      }
    })
    child.stdin.write(
      message(1, "initialize", {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bench", version: "1" }
      })
    )
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!
}

execFileSync(process.execPath, ["build.mjs"], { cwd: root, stdio: "inherit" })
execFileSync(process.execPath, ["build.mjs", "--floor", floorDir], { cwd: root, stdio: "inherit" })
await baseline()
await server([])
await server([], floorBin)
const results = {
  node: [] as Array<number>,
  floor: [] as Array<number>,
  stdio: [] as Array<number>,
  sandbox: [] as Array<number>
}
for (let i = 0; i < runs; i++) {
  results.node.push(await baseline())
  results.floor.push(await server([], floorBin))
  results.stdio.push(await server([]))
  results.sandbox.push(await server(["--sandbox"]))
}
rmSync(scratch, { recursive: true, force: true })

const base = median(results.node)
const floor = median(results.floor)
const row = (name: string, values: ReadonlyArray<number>) =>
  [
    name.padEnd(50),
    `${median(values).toFixed(0)} ms`.padStart(8),
    `${(median(values) / base).toFixed(2)}×`.padStart(12),
    `${(median(values) / floor).toFixed(2)}×`.padStart(12)
  ].join("")
console.log(`booster-mcp start-up, median of ${runs} runs (interleaved)`)
console.log(
  ["".padEnd(50), "median".padStart(8), "÷ node -e 0".padStart(12), "÷ SDK floor".padStart(12)].join("")
)
console.log(row("node -e 0", results.node))
console.log(row("SDK floor: bare SDK v2 server, one trivial tool", results.floor))
console.log(row("booster-mcp: spawn → initialize → tools/list", results.stdio))
console.log(row("booster-mcp --sandbox: same", results.sandbox))
/** At the SDK's floor: what booster-mcp adds to a bare SDK server is within the noise of a start-up. */
const FLOOR_TARGET = 1.1
const atFloor = median(results.stdio) / floor
record({
  name: "booster-mcp start (spawn → tools/list)",
  value: `${atFloor.toFixed(2)}× SDK floor`,
  goal: `≤ ${FLOOR_TARGET}×`,
  met: atFloor <= FLOOR_TARGET
})
/** tools/list sits in every assistant's context: every tool, every argument described, kept lean. */
const TOOLS_LIST_KIB = 24
console.log(`tools/list: ${(toolsListBytes / 1024).toFixed(1)} KiB`)
record({
  name: "booster-mcp tools/list",
  value: `${(toolsListBytes / 1024).toFixed(1)} KiB`,
  goal: `≤ ${TOOLS_LIST_KIB} KiB`,
  met: toolsListBytes <= TOOLS_LIST_KIB * 1024
})
