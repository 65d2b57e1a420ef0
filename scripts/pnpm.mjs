#!/usr/bin/env node
/**
 * Runs the pinned pnpm (the `packageManager` field) through npx, so that a machine with only Node
 * and npm can work in this repository. `--ensure-install` first installs the workspace from the
 * lockfile when `node_modules` is missing or older than the lockfile.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const { packageManager } = JSON.parse(readFileSync(`${root}package.json`, "utf8"))
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", COREPACK_ENABLE_STRICT: "0" }
// better-sqlite3 (the schedules' embedded store) compiles from source when no prebuilt binary can be
// fetched: point node-gyp at the Node headers installed with Node instead of downloading them
if (env.npm_config_nodedir === undefined && existsSync("/usr/include/node/node_version.h")) {
  env.npm_config_nodedir = "/usr"
}

const run = (args) => {
  const result = spawnSync("npx", ["--yes", packageManager, ...args], { stdio: "inherit", cwd: root, env })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

let args = process.argv.slice(2)
if (args[0] === "--ensure-install") {
  args = args.slice(1)
  const marker = `${root}node_modules/.modules.yaml`
  const stale = !existsSync(marker) || statSync(`${root}pnpm-lock.yaml`).mtimeMs > statSync(marker).mtimeMs
  if (stale) run(["install", "--frozen-lockfile"])
}
if (args.length > 0) run(args)
