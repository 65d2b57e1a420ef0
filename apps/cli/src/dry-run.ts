/**
 * The entry point of the dry run's fast path (`dist/dry-run.cjs`): the launcher starts it for
 * `booster export … --dry-run` instead of the full program. It runs the command lines `fast-path.ts`
 * understands with the full program's own dry run (`export/dry-run.ts`) and ending (`app/run.ts`),
 * and hands every other one, before printing anything, to the full program (`__fallThrough`, given
 * by the launcher).
 */
import * as Run from "./app/run.js"
import * as DryRun from "./export/dry-run.js"
import * as FastPath from "./export/fast-path.js"

declare const __fallThrough: () => void

const input = FastPath.parse(process.argv.slice(2))
if (input === undefined) __fallThrough()
else Run.main(DryRun.run(input), input.json)
