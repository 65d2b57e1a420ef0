/**
 * The start-up launcher (`dist/booster.cjs`): loads the bundled program (`dist/main.cjs`) through a
 * V8 code cache so that start-up skips parsing and compiling it (`@booster-export/tooling`'s
 * `Launcher`: the cache built with the bundle when this Node accepts it, else the user's own under
 * `$XDG_CACHE_HOME/booster-export/`, trusted only when it is provably this program's and no one else
 * can write it).
 *
 * `--help` of each command is rendered by the program itself when the bundle is built
 * (`dist/help/*.txt`) and printed from there, colour removed unless stdout is a colour terminal.
 *
 * `booster export … --dry-run` starts the dry run's fast path (`dist/dry-run.cjs`, see
 * `src/dry-run.ts`), which hands what it does not understand to the full program.
 * `BOOSTER_NO_FAST_PATH=1` always starts the full program.
 *
 * `booster __complete filters|tasks` (asked by the completion scripts) prints the saved filters'
 * names or recent task ids from the files themselves (`src/completion/candidates.ts`).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import * as Launcher from "@booster-export/tooling/launcher"
import * as Candidates from "../completion/candidates.js"
import { uncoloured } from "../output/colour.js"

// While the program loads, V8's young generation keeps its first size instead of doubling: loading
// allocates much that lives on, and every fresh page of a larger young generation is a page fault
// (about 15 ms saved on a dry run). The default growth comes back a second later, for long commands.
// The code cache records V8's flags, so the same value is set whenever one is created.
const YOUNG_GROWTH_AT_START = "--semi-space-growth-factor=1"
setFlagsFromString(YOUNG_GROWTH_AT_START)
setTimeout(() => setFlagsFromString("--semi-space-growth-factor=2"), 1000).unref()

/**
 * The help page rendered at build time for `help [COMMAND…]`, or `--help`/`-h` after command words;
 * with `--long`, the page with every flag's whole description.
 */
const cachedHelp = (args: ReadonlyArray<string>): string | undefined => {
  let words: Array<string>
  const long = args.includes("--long") ? ".long" : ""
  if (args.length === 0) words = []
  else if (args[0] === "help") words = args.slice(1).filter((arg) => arg !== "--long")
  else if (args.includes("--help") || args.includes("-h")) {
    words = []
    for (const arg of args) {
      if (!/^[a-z]+(-[a-z]+)*$/.test(arg)) break
      words.push(arg)
    }
  } else return undefined
  if (!words.every((word) => /^[a-z]+(-[a-z]+)*$/.test(word))) return undefined
  try {
    return readFileSync(join(__dirname, "help", `${["booster", ...words].join("-")}${long}.txt`), "utf8")
  } catch {
    return undefined
  }
}

// `booster __complete filters|tasks`: the words shell completion offers, without the program
if (process.argv[2] === "__complete") {
  Candidates.print(process.argv[3])
  process.exit(0)
}

const help = process.env.BOOSTER_WRITE_CODE_CACHE ? undefined : cachedHelp(process.argv.slice(2))
if (help !== undefined) {
  const color =
    process.stdout.isTTY === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "")
  process.stdout.write(color ? help : uncoloured(help))
  process.exit(0)
}

declare const __BOOSTER_MAIN_SHA256__: string
declare const __BOOSTER_DRY_RUN_SHA256__: string
declare const __UNDICI_KEYS__: ReadonlyArray<string>

/** Runs the full program (`dist/main.cjs`). */
const runProgram = () =>
  Launcher.run({
    dir: __dirname,
    name: "booster",
    contentHash: __BOOSTER_MAIN_SHA256__,
    // undici (dist/undici.cjs) is loaded when the program first uses it
    require: (own) => {
      const undici = Launcher.lazyModule(
        () => own("./undici.cjs") as Record<string, unknown>,
        __UNDICI_KEYS__
      )
      return Object.assign(
        (id: string): unknown => (id === "./undici.cjs" ? undici : own(id)),
        own
      ) as NodeJS.Require
    },
    beforeCacheWrite: () => setFlagsFromString(YOUNG_GROWTH_AT_START)
  })

const args = process.argv.slice(2)
const noFastPath = process.env.BOOSTER_NO_FAST_PATH !== undefined && process.env.BOOSTER_NO_FAST_PATH !== ""
if (!noFastPath && args[0] === "export" && args.includes("--dry-run")) {
  // the dry run's fast path (dist/dry-run.cjs, with a code cache of its own): core and the dry run
  // without the command framework; what it does not understand it hands to the full program
  Launcher.run({
    dir: __dirname,
    name: "booster-dry-run",
    bundle: "dry-run",
    contentHash: __BOOSTER_DRY_RUN_SHA256__,
    parameters: { __fallThrough: runProgram },
    beforeCacheWrite: () => setFlagsFromString(YOUNG_GROWTH_AT_START)
  })
} else runProgram()
