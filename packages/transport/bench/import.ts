/**
 * What importing the client costs a consumer: the three libraries are packed and installed from their
 * tarballs into a project outside the workspace (as another team gets them), then fresh Node
 * processes import `effect` alone (the baseline), `@booster-export/transport`, its Promise entry, and
 * for comparison the whole `@effect/platform-node` barrel. The contenders run interleaved in rounds
 * (rotating order) and the median of per-round ratios against `effect` is reported. Target: ≤ 1.4×.
 * `BENCH_IMPORT_BEFORE` names another installed project (another version of the libraries, say)
 * whose transport import runs in the same rounds as "before".
 */
import { spawnSync } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { record } from "../../../scripts/bench-results.mjs"
import { cleanEnv, installProject, packLibraries, root } from "../../../tests/consumer/src/project.js"

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const TARGET = 1.4
const dir = join(root, ".bench", "import")

if (process.env.BENCH_REUSE !== "1" || !existsSync(join(dir, "project", "node_modules"))) {
  rmSync(dir, { recursive: true, force: true })
  console.log("packing the libraries and installing the tarballs…")
  await installProject(join(dir, "project"), await packLibraries(join(dir, "tarballs")))
}
const project = join(dir, "project")

const before = process.env.BENCH_IMPORT_BEFORE
const contenders = [
  { name: "import effect (baseline)", specifier: "effect", cwd: project },
  { name: "import @booster-export/transport", specifier: "@booster-export/transport", cwd: project },
  {
    name: "import @booster-export/transport/Promise",
    specifier: "@booster-export/transport/Promise",
    cwd: project
  },
  { name: "import @effect/platform-node (barrel)", specifier: "@effect/platform-node", cwd: project },
  ...(before === undefined
    ? []
    : [
        {
          name: "before: import @booster-export/transport",
          specifier: "@booster-export/transport",
          cwd: before
        }
      ])
]

/** Wall time of a fresh process importing `specifier`, and the CPU time that process used. */
const timeImport = (specifier: string, cwd: string): { readonly ms: number; readonly cpuMs: number } => {
  const started = process.hrtime.bigint()
  const result = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(); console.log((u.user + u.system) / 1000)`
    ],
    { cwd, env: cleanEnv(), encoding: "utf8" }
  )
  if (result.status !== 0) throw new Error(`importing ${specifier} failed: ${result.stderr}`)
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: Number(result.stdout.trim()) }
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

for (const { specifier, cwd } of contenders) timeImport(specifier, cwd) // warm the file system cache
const times = contenders.map(() => [] as Array<number>)
const ratios = contenders.map(() => [] as Array<number>)
const cpuTimes = contenders.map(() => [] as Array<number>)
const cpuRatios = contenders.map(() => [] as Array<number>)
for (let round = 0; round < ROUNDS; round++) {
  const order = contenders.map((_, i) => (i + round) % contenders.length)
  const measured: Array<{ readonly ms: number; readonly cpuMs: number }> = []
  for (const i of order) measured[i] = timeImport(contenders[i]!.specifier, contenders[i]!.cwd)
  contenders.forEach((_, i) => {
    times[i]!.push(measured[i]!.ms)
    ratios[i]!.push(measured[i]!.ms / measured[0]!.ms)
    cpuTimes[i]!.push(measured[i]!.cpuMs)
    cpuRatios[i]!.push(measured[i]!.cpuMs / measured[0]!.cpuMs)
  })
}

console.log(
  `\nimport cost from the installed tarballs, median of ${ROUNDS} interleaved rounds, node ${process.version}`
)
contenders.forEach(({ name }, i) => {
  console.log(
    `${name.padEnd(44)} ${median(times[i]!).toFixed(0).padStart(5)} ms  ${median(ratios[i]!).toFixed(2)}×   CPU ${median(cpuTimes[i]!).toFixed(0).padStart(5)} ms  ${median(cpuRatios[i]!).toFixed(2)}×`
  )
})
const ratio = median(ratios[1]!)
const cpuRatio = median(cpuRatios[1]!)
record({
  name: "import @booster-export/transport",
  value: `${ratio.toFixed(2)}× import effect (CPU ${cpuRatio.toFixed(2)}×)`,
  goal: `≤ ${TARGET}×`,
  met: ratio <= TARGET
})
console.log(
  `transport vs effect: ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU (target ≤ ${TARGET}×; wall times need an idle machine) — ${ratio <= TARGET ? "met" : "NOT met"} by wall, ${cpuRatio <= TARGET ? "met" : "NOT met"} by CPU`
)
