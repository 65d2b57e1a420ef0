/**
 * A project outside the workspace that uses the libraries the way another team would: it packs
 * `@booster-export/core`, `transport`, `journal`, `journal-pg` and `sandbox` with pnpm (each `prepack` builds `dist` from
 * scratch) and installs the tarballs with npm from the registry, as a consumer does. Used by the
 * consumer test and by transport's import benchmark.
 */
import { execFile } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root folder. */
export const root = fileURLToPath(new URL("../../..", import.meta.url))

/** The libraries, in dependency order: folder under `packages/` and package name. */
export const libraries = [
  { dir: "core", name: "@booster-export/core" },
  { dir: "transport", name: "@booster-export/transport" },
  { dir: "journal", name: "@booster-export/journal" },
  { dir: "journal-pg", name: "@booster-export/journal-pg" },
  { dir: "sandbox", name: "@booster-export/sandbox" }
]

/** The environment without what a package manager running this script passes to its children. */
export const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|NODE_OPTIONS$|VITEST|TURBO_)/i.test(name))
  )

/** Runs a command without blocking the event loop; fails with its output when it exits non-zero. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string
): Promise<{ readonly code: number; readonly stdout: string; readonly out: string }> =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, env: cleanEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout, out: `${stdout}${stderr}` })
      }
    )
  })

const runOrFail = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${result.out}`)
  return result.stdout
}

/** The version of a dependency in the workspace's pnpm catalog. */
export const catalogVersion = (name: string): string => {
  const text = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")
  const line = text.split("\n").find((l) => l.replace(/"/g, "").trim().startsWith(`${name}:`))
  if (line === undefined) throw new Error(`${name} is not in the pnpm catalog`)
  return line.slice(line.lastIndexOf(":") + 1).trim()
}

/** Packs every library into `destination` with the workspace's pnpm; answers the tarball paths by name. */
export const packLibraries = async (destination: string): Promise<Record<string, string>> => {
  mkdirSync(destination, { recursive: true })
  const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  const tarballs: Record<string, string> = {}
  for (const { dir, name } of libraries) {
    const before = new Set(readdirSync(destination))
    await runOrFail(
      "npx",
      ["--yes", packageManager, "pack", "--pack-destination", destination],
      join(root, "packages", dir)
    )
    const created = readdirSync(destination).find((file) => file.endsWith(".tgz") && !before.has(file))
    if (created === undefined) throw new Error(`pnpm pack wrote no tarball for ${name}`)
    tarballs[name] = join(destination, created)
  }
  return tarballs
}

/**
 * Writes a `package.json` depending on the tarballs (plus `devDependencies`) into `dir` and installs
 * it with npm.
 */
export const installProject = async (
  dir: string,
  tarballs: Readonly<Record<string, string>>,
  devDependencies: Readonly<Record<string, string>> = {}
): Promise<void> => {
  mkdirSync(dir, { recursive: true })
  const dependencies = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])
  )
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "booster-consumer", private: true, type: "module", dependencies, devDependencies }, null, 2)}\n`
  )
  await runOrFail("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], dir)
}
