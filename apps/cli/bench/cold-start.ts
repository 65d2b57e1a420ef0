/**
 * Cold start of the bundled `booster`: median wall time of `booster --help`, `booster export --help`,
 * `booster help export` and of
 * `booster export --dry-run …`, as a ratio to `node -e 0` measured in the same run, interleaved so
 * that machine load affects every command alike. Also shows the program started without the code
 * cache (`node dist/main.cjs`) to show what the launcher saves, and the floor: the smallest
 * @effect/cli program with a Schema (`bench/floor-program.ts`), bundled and started through the same
 * launcher and code cache. Targets: help ≤ 1.2×, the dry run ≤ 2×. The dry run runs on the
 * launcher's fast path (dist/dry-run.cjs); the full program's dry run (`BOOSTER_NO_FAST_PATH=1`) is
 * shown beside it. CPU time (user + system, the mean of the children's, from /proc on Linux) is
 * shown too: on a machine loaded by other work, wall time grows with the load and CPU time much less.
 *
 * Run: `pnpm bench` (or `npx tsx bench/cold-start.ts [runs]`) after `node build.mjs`.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { record } from "../../../scripts/bench-results.mjs"

const app = join(dirname(fileURLToPath(import.meta.url)), "..")
const launcher = join(app, "dist", "booster.cjs")
const program = join(app, "dist", "main.cjs")
if (!existsSync(launcher)) {
  const built = spawnSync(process.execPath, [join(app, "build.mjs")], { stdio: "inherit" })
  if (built.status !== 0) process.exit(1)
}

// The same command line for `booster` and for the floor program (which takes these options too).
const dryRun = [
  "export",
  "--brand",
  "CAR",
  "--pos-code",
  "ES100",
  "--pos-code",
  "IT200",
  "--interest",
  "Watches=CA-1",
  "--dry-run",
  "--json"
]

// The floor program, bundled like the program and given the same launcher and a warmed code cache.
const floorDir = join(app, ".bench", "floor")
rmSync(floorDir, { recursive: true, force: true })
mkdirSync(floorDir, { recursive: true })
await build({
  entryPoints: [join(app, "bench", "floor-program.ts")],
  outfile: join(floorDir, "main.cjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  logLevel: "error"
})
copyFileSync(launcher, join(floorDir, "booster.cjs"))
const floor = join(floorDir, "booster.cjs")
execFileSync(process.execPath, [floor, ...dryRun], {
  stdio: "ignore",
  // the floor is a program of its own: the launcher's dry-run fast path is not
  env: { ...process.env, BOOSTER_NO_FAST_PATH: "1", BOOSTER_WRITE_CODE_CACHE: join(floorDir, "main.cache") }
})

/** Help is text rendered at build time: printing it costs about what starting Node costs. */
const HELP_TARGET = 1.2
/** A dry run validates and describes the filter with core, off the full command tree. */
const DRY_RUN_TARGET = 2

const runs = Number(process.argv[2] ?? 21)
const home = mkdtempSync(join(tmpdir(), "booster-bench-"))
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, "config"),
  XDG_STATE_HOME: join(home, "state"),
  XDG_CACHE_HOME: join(home, "cache"),
  BOOSTER_BASE_URL: "https://booster.example.com/api",
  BOOSTER_API_KEY: "bench-key"
}

const cases: ReadonlyArray<{
  readonly name: string
  readonly args: ReadonlyArray<string>
  /** The most this command may take, as a multiple of `node -e 0`. */
  readonly target?: number
  readonly env?: Record<string, string>
}> = [
  { name: "node -e 0 (baseline)", args: ["-e", "0"] },
  { name: "booster --help", args: [launcher, "--help"], target: HELP_TARGET },
  { name: "booster export --help", args: [launcher, "export", "--help"], target: HELP_TARGET },
  { name: "booster help export", args: [launcher, "help", "export"], target: HELP_TARGET },
  { name: "booster export --dry-run --json", args: [launcher, ...dryRun], target: DRY_RUN_TARGET },
  {
    name: "… full program (BOOSTER_NO_FAST_PATH=1)",
    args: [launcher, ...dryRun],
    env: { BOOSTER_NO_FAST_PATH: "1" }
  },
  {
    name: "floor: 5-option @effect/cli program",
    args: [floor, ...dryRun],
    env: { BOOSTER_NO_FAST_PATH: "1" }
  },
  { name: "--help without code cache", args: [program, "--help"] },
  { name: "export --dry-run without code cache", args: [program, ...dryRun] }
]

/** CPU time of this process's finished children (user + system), in ms; undefined off Linux. */
const childrenCpuMs = (): number | undefined => {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")
    // cutime and cstime (fields 16 and 17), in clock ticks of 10 ms
    return (Number(fields[13]) + Number(fields[14])) * 10
  } catch {
    return undefined
  }
}

const times = cases.map(() => [] as Array<number>)
const cpu = cases.map(() => 0)
for (let round = -2; round < runs; round++) {
  for (const [index, c] of cases.entries()) {
    const cpuBefore = childrenCpuMs()
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, c.args, { env: { ...env, ...c.env }, stdio: "ignore" })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const cpuAfter = childrenCpuMs()
    if (result.status !== 0) throw new Error(`${c.name} exited ${result.status}`)
    if (round >= 0) {
      times[index]!.push(ms)
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[index]! += cpuAfter - cpuBefore
    }
  }
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const baseline = median(times[0]!)
const cpuBaseline = cpu[0]! / runs
console.log(
  `cold start, median of ${runs} runs each (interleaved), node ${process.version}; CPU: mean user + system`
)
for (const [index, c] of cases.entries()) {
  const m = median(times[index]!)
  const ratio = m / baseline
  const cpuMs = cpu[index]! / runs
  const cpuText =
    cpuBaseline > 0 ? `  CPU ${cpuMs.toFixed(0).padStart(4)} ms ${(cpuMs / cpuBaseline).toFixed(2)}×` : ""
  console.log(
    `${c.name.padEnd(44)} ${m.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}×${cpuText}${c.target ? `  (target ≤ ${c.target}×)` : ""}`
  )
  if (c.target)
    record({
      name: c.name,
      value: `${ratio.toFixed(2)}× node -e 0`,
      goal: `≤ ${c.target}×`,
      met: ratio <= c.target
    })
}
