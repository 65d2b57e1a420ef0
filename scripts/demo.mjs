#!/usr/bin/env node
/**
 * `npm run demo`: installs the workspace from the lockfile when needed and builds `booster` with
 * their output kept aside (shown only when a step fails), then runs `booster demo`, so that a first
 * run on a fresh clone prints the demo itself and nothing else.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" }

/** Runs a step with its output captured; on failure prints that output and exits with its status. */
const quietly = (what, args) => {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  if (result.status === 0) return
  process.stderr.write(`${what} failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`)
  process.exit(result.status ?? 1)
}

process.stderr.write("Preparing booster (install and build: a few minutes the first time)…\n")
quietly("Installing the workspace", ["scripts/pnpm.mjs", "--ensure-install"])
quietly("Building booster", [
  "scripts/pnpm.mjs",
  "exec",
  "turbo",
  "run",
  "build",
  "--filter=@booster-export/cli",
  "--output-logs=errors-only"
])
const demo = spawnSync(process.execPath, ["apps/cli/dist/booster.cjs", "demo", ...process.argv.slice(2)], {
  cwd: root,
  env: process.env,
  stdio: "inherit"
})
process.exit(demo.status ?? 1)
