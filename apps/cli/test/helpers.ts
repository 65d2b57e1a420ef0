import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Bundle from "@booster-export/tooling/bundle"

export const appDir = join(dirname(fileURLToPath(import.meta.url)), "..")
export const binary = join(appDir, "dist", "booster.cjs")

const OUTPUTS = [
  "dist/main.cjs",
  "dist/dry-run.cjs",
  "dist/booster.cjs",
  "dist/main.cache",
  "dist/dry-run.cache",
  "dist/help/booster.txt"
]

/**
 * Builds the bundle when it is missing; with `whenStale`, also when it is older than its sources
 * (the global setup, once before the files run: a file never replaces the bundle under another).
 */
export const ensureBuilt = (whenStale = false) => Bundle.ensureBuilt(appDir, OUTPUTS, { whenStale })

/** A fresh home for one test: isolated XDG folders and an export folder. */
export const freshHome = () => {
  const root = mkdtempSync(join(tmpdir(), "booster-cli-test-"))
  return {
    root,
    env: {
      HOME: root,
      XDG_CONFIG_HOME: join(root, "config"),
      XDG_STATE_HOME: join(root, "state"),
      XDG_CACHE_HOME: join(root, "cache"),
      BOOSTER_EXPORT_DIR: root
    }
  }
}

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("BOOSTER_") && key !== "NO_COLOR")
)

/** Runs the bundled `booster` (or another launcher) with arguments, extra environment and optional stdin. */
export const booster = (
  args: ReadonlyArray<string>,
  options: {
    readonly env?: Record<string, string>
    readonly input?: string
    readonly cwd?: string
    readonly binary?: string
  } = {}
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.binary ?? binary, ...args], {
      env: { ...BASE_ENV, ...options.env },
      cwd: options.cwd ?? appDir,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })

/** Parses the single JSON line a `--json` run printed. */
export const parseJson = (text: string): Record<string, unknown> =>
  JSON.parse(text.trim()) as Record<string, unknown>

/**
 * Whether real-terminal tests can run: tmux must be on the PATH. Outside CI a missing tmux skips
 * them with the reason and the install hint (a warning on the console says so too); under
 * `CI=true` a missing tmux is an error, so that CI never passes without them.
 */
export const tmuxCheck = (): { readonly available: boolean; readonly reason: string } => {
  const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" })
  if (probe.error === undefined && probe.status === 0) return { available: true, reason: "" }
  const reason =
    "tmux is not installed, so the real-terminal tests cannot run (install it: apt-get install tmux, or brew install tmux)"
  if (process.env.CI === "true") throw new Error(`CI=true: ${reason}`)
  console.warn(`Skipping real-terminal tests: ${reason}`)
  return { available: false, reason }
}

/**
 * Runs `booster` and answers, with its result, the peak resident memory of its process (the
 * kernel's high-water mark, read by the process itself as it exits through a preloaded module).
 */
export const withPeakRss = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<{ readonly result: Result; readonly peakRssMiB: number }> => {
  const dir = mkdtempSync(join(tmpdir(), "booster-rss-"))
  const report = join(dir, "peak-rss")
  const preload = join(dir, "peak-rss.cjs")
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)))\n`
  )
  const result = await booster(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` } })
  const kib = Number(readFileSync(report, "utf8"))
  return { result, peakRssMiB: kib / 1024 }
}
