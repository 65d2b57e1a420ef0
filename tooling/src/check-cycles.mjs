#!/usr/bin/env node
/**
 * The repository's structure check, run by `.ci/run` after typecheck and lint
 * (`node tooling/src/check-cycles.mjs [ROOT]`, exit 1 on a problem):
 *
 * - no value-import cycle across the sources of `packages/*` and `apps/*` (type-only imports, which
 *   leave nothing at run time, are skipped), found with madge as Effect's own `scripts/circular.mjs`
 *   does;
 * - the direction of dependencies between packages: core ← transport ← journal ← journal-pg, the
 *   sandbox on core only, no package on an app or on another app, the tooling on nothing (`LAYERS`);
 * - a package's sources are imported from elsewhere only through its public entry points (its
 *   `package.json` `exports`), never as `@booster-export/x/src/…` or a relative path into it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import madge from "madge"

/**
 * The workspace packages each package may import (besides itself); apps may import every package
 * and the tooling, never another app. A package missing here fails the check until it is given a
 * place.
 * @type {Readonly<Record<string, ReadonlyArray<string>>>}
 */
export const LAYERS = {
  "packages/core": [],
  "packages/transport": ["packages/core"],
  "packages/journal": ["packages/core", "packages/transport"],
  "packages/journal-pg": ["packages/core", "packages/transport", "packages/journal"],
  "packages/schedule": ["packages/core", "packages/transport", "packages/journal"],
  "packages/sandbox": ["packages/core"],
  tooling: []
}

/** The package (`packages/x`, `apps/x`, `tooling`) a repository path belongs to, if any. */
const packageOf = (/** @type {string} */ path) => {
  const [group, name] = path.split("/")
  if (group === "tooling") return "tooling"
  return (group === "packages" || group === "apps") && name !== undefined ? `${group}/${name}` : undefined
}

/** The files a package's `exports` point at, relative to the repository. */
const entryPoints = (/** @type {string} */ root, /** @type {string} */ pkg) => {
  const file = join(root, pkg, "package.json")
  if (!existsSync(file)) return new Set()
  /** @type {Array<string>} */
  const targets = []
  const collect = (/** @type {unknown} */ value) => {
    if (typeof value === "string") targets.push(value)
    else if (value !== null && typeof value === "object")
      for (const inner of Object.values(value)) collect(inner)
  }
  collect(JSON.parse(readFileSync(file, "utf8")).exports)
  return new Set(targets.map((target) => join(pkg, target)))
}

/**
 * Checks the tree at `root`; resolves to the problems found, one line each (none when it holds).
 * @param {string} root
 * @returns {Promise<ReadonlyArray<string>>}
 */
export const check = async (root) => {
  const sources = ["packages", "apps"].flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group))
          .map((name) => join(group, name, "src"))
          .filter((dir) => existsSync(join(root, dir)))
      : []
  )
  const tsconfig = join(root, "tsconfig.base.json")
  const result = await madge(
    sources.map((dir) => join(root, dir)),
    {
      baseDir: root,
      fileExtensions: ["ts", "mts", "cts"],
      // the compiler options as written: madge's resolver parses them itself
      tsConfig: {
        compilerOptions: existsSync(tsconfig)
          ? JSON.parse(readFileSync(tsconfig, "utf8")).compilerOptions
          : {}
      },
      detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } }
    }
  )
  /** @type {Array<string>} */
  const problems = []
  for (const cycle of result.circular())
    problems.push(`value-import cycle: ${[...cycle, cycle[0]].join(" → ")}`)
  for (const specifier of result.warnings().skipped) {
    if (specifier.startsWith("@booster-export/")) problems.push(`unresolved workspace import: ${specifier}`)
  }
  /** @type {Map<string, Set<string>>} */
  const entries = new Map()
  for (const [from, imports] of Object.entries(result.obj())) {
    const source = packageOf(from)
    for (const to of imports) {
      const target = packageOf(to)
      if (source === undefined || target === source) continue
      if (target === undefined) {
        problems.push(`${from} imports ${to}, outside the workspace's packages`)
        continue
      }
      if (target.startsWith("apps/")) {
        problems.push(`${from} imports ${to}: nothing imports an app`)
        continue
      }
      if (!source.startsWith("apps/")) {
        const layer = LAYERS[source]
        if (layer === undefined) {
          problems.push(
            `${source} has no place in the dependency direction (LAYERS in tooling/src/check-cycles.mjs)`
          )
        } else if (!layer.includes(target)) {
          problems.push(
            `${from} imports ${to}: ${source} may import ${layer.join(", ") || "no other package"}`
          )
        }
      }
      if (!entries.has(target)) entries.set(target, entryPoints(root, target))
      if (!entries.get(target)?.has(to)) {
        problems.push(
          `${from} imports ${to}: other packages use ${target} through its entry points (package.json exports) only`
        )
      }
    }
  }
  return [...new Set(problems)].sort()
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), "..", "..", ".."))
  const problems = await check(root)
  for (const problem of problems) console.error(problem)
  if (problems.length > 0) {
    console.error(`structure check: ${problems.length} problem(s) in ${relative(process.cwd(), root) || "."}`)
    process.exit(1)
  }
  console.log("structure check: no value-import cycle, dependencies point the right way")
}
