/**
 * Keeps an app's bundle up to date for its tests: the tests run the binary a user runs, built once
 * (by turbo's `build`, or here when it is missing or older than its sources), never once per test
 * file.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"

/** The newest modification time of the files under `dir` (0 when there is none). */
const newest = (dir: string): number => {
  if (!existsSync(dir)) return 0
  let time = 0
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return time
}

/**
 * Runs `node build.mjs` in `app` (a folder under `apps/`) when one of `outputs` (paths relative to
 * the app) is missing or, unless `whenStale` is false, older than the app's sources, its `build.mjs`,
 * the workspace packages' sources or the tooling's. Throws when the build fails. Test files running
 * side by side pass `whenStale: false`: only a global setup, before them, may replace a bundle.
 */
export const ensureBuilt = (
  app: string,
  outputs: ReadonlyArray<string>,
  options: { readonly whenStale?: boolean } = {}
): void => {
  const root = join(app, "..", "..")
  const times = outputs.map((output) =>
    existsSync(join(app, output)) ? statSync(join(app, output)).mtimeMs : 0
  )
  const built = Math.min(...times)
  if (built > 0 && options.whenStale === false) return
  if (built > 0) {
    const packages = join(root, "packages")
    const sources = [
      join(app, "src"),
      join(root, "tooling", "src"),
      ...(existsSync(packages) ? readdirSync(packages).map((name) => join(packages, name, "src")) : [])
    ]
    const changed = Math.max(statSync(join(app, "build.mjs")).mtimeMs, ...sources.map(newest))
    if (changed <= built) return
  }
  const result = spawnSync(process.execPath, [join(app, "build.mjs")], { cwd: app, stdio: "inherit" })
  if (result.status !== 0) throw new Error(`the bundle of ${app} could not be built`)
}
