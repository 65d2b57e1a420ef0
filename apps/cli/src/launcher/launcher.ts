/**
 * The start-up launcher (`dist/booster.cjs`): loads the bundled program (`dist/main.cjs`) through a
 * V8 code cache so that start-up skips parsing and compiling it. The cache built with the bundle
 * (`dist/main.cache`) is used when this Node accepts it; otherwise one is written after the first
 * run under `$XDG_CACHE_HOME/booster-export/` (folder `0700`, file `0600`) and used from then on. Any
 * cache problem only costs speed.
 *
 * `--help` of each command is rendered by the program itself when the bundle is built
 * (`dist/help/*.txt`) and printed from there, colour removed unless stdout is a colour terminal.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import Module from "node:module"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { Script } from "node:vm"
import { uncoloured } from "../output/colour.js"

// While the program loads, V8's young generation keeps its first size instead of doubling: loading
// allocates much that lives on, and every fresh page of a larger young generation is a page fault
// (about 15 ms saved on a dry run). The default growth comes back a second later, for long commands.
// The code cache records V8's flags, so the same value is set whenever one is created.
const YOUNG_GROWTH_AT_START = "--semi-space-growth-factor=1"
setFlagsFromString(YOUNG_GROWTH_AT_START)
setTimeout(() => setFlagsFromString("--semi-space-growth-factor=2"), 1000).unref()

/** The help page rendered at build time for `help [COMMAND…]`, or `--help`/`-h` after command words. */
const cachedHelp = (args: ReadonlyArray<string>): string | undefined => {
  let words: Array<string>
  if (args.length === 0) words = []
  else if (args[0] === "help") words = args.slice(1)
  else if (args.includes("--help") || args.includes("-h")) {
    words = []
    for (const arg of args) {
      if (!/^[a-z]+$/.test(arg)) break
      words.push(arg)
    }
  } else return undefined
  if (!words.every((word) => /^[a-z]+$/.test(word))) return undefined
  try {
    return readFileSync(join(__dirname, "help", `${["booster", ...words].join("-")}.txt`), "utf8")
  } catch {
    return undefined
  }
}

const argv = process.argv.slice(2)
const help = process.env.BOOSTER_WRITE_CODE_CACHE ? undefined : cachedHelp(argv)
if (help !== undefined) {
  const color =
    process.stdout.isTTY === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "")
  process.stdout.write(color ? help : uncoloured(help))
  process.exit(0)
}

const main = join(__dirname, "main.cjs")
// The bundle is ASCII (checked when it is built): latin1 decodes it without UTF-8 validation
const source = readFileSync(main, "latin1")
const bundled = join(__dirname, "main.cache")

const userCache = (): string | undefined => {
  try {
    const base = process.env.XDG_CACHE_HOME?.trim() || join(process.env.HOME?.trim() || homedir(), ".cache")
    const stat = statSync(main)
    return join(
      base,
      "booster-export",
      `main-${process.version}-${stat.size}-${Math.floor(stat.mtimeMs)}.cache`
    )
  } catch {
    return undefined
  }
}

const read = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

/** Set when building: compile without a cache and write the cache here on exit. */
const writeCache = process.env.BOOSTER_WRITE_CODE_CACHE || undefined
// One compilation only: once V8 has compiled the source, a second Script of it comes from V8's
// in-memory compilation cache and ignores (without rejecting) the data it is given. So the user's
// cache, which exists only when the bundled one was refused, is tried first, else the bundled one.
const own = writeCache === undefined ? userCache() : undefined
const cachedData =
  writeCache !== undefined ? undefined : ((own !== undefined ? read(own) : undefined) ?? read(bundled))
const script = new Script(Module.wrap(source), { filename: main, ...(cachedData ? { cachedData } : {}) })
/** Where a cache is written when this process exits: when building, or the user's when none was accepted. */
const writeTo =
  writeCache ?? (cachedData === undefined || script.cachedDataRejected === true ? own : undefined)
if (writeTo !== undefined) {
  const path = writeTo
  process.once("exit", () => {
    try {
      setFlagsFromString(YOUNG_GROWTH_AT_START)
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const temp = `${path}.${process.pid}.tmp`
      writeFileSync(temp, script.createCachedData(), { mode: 0o600 })
      renameSync(temp, path)
    } catch {
      // a cache that cannot be written only costs start-up time
    }
  })
}
declare const __UNDICI_KEYS__: ReadonlyArray<string>

const requireMain = Module.createRequire(main)
let undici: Record<string, unknown> | undefined
const loadUndici = () => {
  undici ??= requireMain("./undici.cjs") as Record<string, unknown>
  return undici
}
const undiciKeys: ReadonlyArray<string> = __UNDICI_KEYS__
/** Stands in for undici until a member is used; the keys are known from the build. */
const lazyUndici = new Proxy(
  {},
  {
    get: (_, key) => (key === "__esModule" ? undefined : loadUndici()[key as string]),
    has: (_, key) => undiciKeys.includes(key as string),
    ownKeys: () => [...undiciKeys],
    getOwnPropertyDescriptor: (_, key) =>
      undiciKeys.includes(key as string)
        ? { configurable: true, enumerable: true, get: () => loadUndici()[key as string] }
        : undefined
  }
)
const requireProgram = Object.assign(
  (id: string): unknown => (id === "./undici.cjs" ? lazyUndici : requireMain(id)),
  requireMain
) as NodeJS.Require

const wrapper = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string
) => void
const module_ = { exports: {} }
wrapper.call(module_.exports, module_.exports, requireProgram, module_, main, __dirname)
