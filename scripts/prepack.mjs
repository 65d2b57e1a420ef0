#!/usr/bin/env node
/**
 * `prepack` of every library: refuses a pack or publish that would produce a broken package, then
 * builds `dist` from scratch (no stale module of an earlier build, no build cache in the tarball).
 *
 * Only pnpm rewrites the workspace's `workspace:` and `catalog:` version specifiers into real ranges
 * and applies `publishConfig.exports` (which point at `dist`) on pack. `npm pack` / `npm publish`
 * would ship unresolvable dependencies and exports pointing at TypeScript sources, so they fail here
 * with a message saying what to run instead.
 */
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

const dir = process.cwd()
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
const agent = process.env.npm_config_user_agent ?? ""
const workspaceOnly = Object.entries({
  ...manifest.dependencies,
  ...manifest.peerDependencies,
  ...manifest.optionalDependencies
}).filter(([, spec]) => /^(workspace|catalog):/.test(String(spec)))
const exportsSource = JSON.stringify(manifest.exports ?? {}).includes("/src/")

if (!agent.startsWith("pnpm/") && (workspaceOnly.length > 0 || exportsSource)) {
  const what = [
    ...workspaceOnly.map(([name, spec]) => `${name}@${spec}`),
    ...(exportsSource ? ["exports pointing at src/ (publishConfig.exports)"] : [])
  ]
  console.error(
    `${manifest.name}: refusing to pack with ${agent.split(" ")[0] || "this client"}: only pnpm rewrites ${what.join(", ")} for publishing.\n` +
      "Run `node scripts/pnpm.mjs --filter " +
      manifest.name +
      " pack` (or `pnpm publish`) from the repository instead."
  )
  process.exit(1)
}

rmSync(join(dir, "dist"), { recursive: true, force: true })
const tsc = createRequire(join(dir, "package.json")).resolve("typescript/bin/tsc")
const build = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: dir, stdio: "inherit" })
process.exit(build.status ?? 1)
