/**
 * The start-up launcher (`dist/booster-mcp.cjs`): runs the server's start path (`dist/main.cjs`: the
 * MCP SDK, the options, stdio and HTTP serving) through a V8 code cache, so that answering
 * `initialize` and `tools/list` skips parsing and compiling it.
 *
 * The cache built with the bundle (`dist/main.cache`) is used when V8 accepts it (V8 rejects a cache
 * made by another Node or V8 version, under other V8 flags or for a source of another length).
 * Otherwise one is written when the process exits, under `$XDG_CACHE_HOME/booster-export/` (folder
 * `0700`, file `0600`, named after the Node version and the bundle's size and modification time),
 * and used from then on. A cache that cannot be read, is rejected or cannot be written only costs
 * start-up time; nothing is printed.
 *
 * The tools, Effect and the API client are ES modules (`dist/lazy/`), imported on first use through
 * the `__lazy` function this launcher hands the start path.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import Module from "node:module"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { Script } from "node:vm"

const main = join(__dirname, "main.cjs")
// The bundle is ASCII (checked when it is built): latin1 decodes it without UTF-8 validation
const source = readFileSync(main, "latin1")
const wrapped = `(function (exports, require, module, __filename, __dirname, __lazy) {${source}\n})`

const read = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

const userCache = (): string | undefined => {
  try {
    const base = process.env.XDG_CACHE_HOME?.trim() || join(process.env.HOME?.trim() || homedir(), ".cache")
    const stat = statSync(main)
    return join(
      base,
      "booster-export",
      `mcp-${process.version}-${stat.size}-${Math.floor(stat.mtimeMs)}.cache`
    )
  } catch {
    return undefined
  }
}

/** Set when building: compile without a cache and write the cache here on exit. */
const writeCodeCache = process.env.BOOSTER_WRITE_CODE_CACHE || undefined
// One compilation only: once V8 has compiled the source, a second Script of it comes from V8's
// in-memory compilation cache and ignores (without rejecting) the data it is given. So the user's
// cache, which exists only when the bundled one was refused, is tried first, else the bundled one.
const own = writeCodeCache === undefined ? userCache() : undefined
const cachedData =
  writeCodeCache !== undefined
    ? undefined
    : ((own !== undefined ? read(own) : undefined) ?? read(join(__dirname, "main.cache")))
const script = new Script(wrapped, { filename: main, ...(cachedData !== undefined ? { cachedData } : {}) })
/** Where a cache is written when this process exits: when building, or the user's when none was accepted. */
const writeTo =
  writeCodeCache ?? (cachedData === undefined || script.cachedDataRejected === true ? own : undefined)
if (writeTo !== undefined) {
  const path = writeTo
  process.once("exit", () => {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const temp = `${path}.${process.pid}.tmp`
      writeFileSync(temp, script.createCachedData(), { mode: 0o600 })
      renameSync(temp, path)
    } catch {
      // a cache that cannot be written only costs start-up time
    }
  })
}

/** Imports one of the lazily loaded ES modules, named relative to the bundle. */
const lazy = (specifier: string): Promise<unknown> => import(pathToFileURL(join(__dirname, specifier)).href)

const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  lazy: (specifier: string) => Promise<unknown>
) => void
const module_ = { exports: {} }
run.call(module_.exports, module_.exports, Module.createRequire(main), module_, main, __dirname, lazy)
