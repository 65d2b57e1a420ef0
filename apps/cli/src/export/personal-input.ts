/**
 * Personal filter values (`--email`, `--phone-number`, `--search-key`, `--sale-representative-email`:
 * the fields core marks personal) kept out of the process list: a command line is readable by every
 * local user (`ps`, `/proc/PID/cmdline`), so these flags also take `@FILE` (the value is read from
 * the file) or `-` (read from stdin). Given inline on a terminal, one line on stderr says so and shows
 * the safe form.
 */
import { readFileSync } from "node:fs"
import { homedir } from "node:os"
import { resolve } from "node:path"
import { ExportKind } from "@booster-export/core"
import { Effect } from "effect"
import { UsageError } from "../output/errors.js"
import * as Term from "../output/terminal.js"
import { flagsOf } from "./filter-flags.js"

/** The personal flags of every kind (the same flag has the same meaning in each). */
const personalFlags = ExportKind.all
  .flatMap((kind) => flagsOf(kind))
  .filter(
    (flag, i, all) => flag.field.doc.personal === true && all.findIndex((f) => f.wire === flag.wire) === i
  )

const expandHome = (path: string) => (path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : path)

const readValue = (flag: string, source: string): Effect.Effect<string, UsageError> =>
  Effect.suspend(() => {
    const from = source === "-" ? "stdin" : `the file ${source.slice(1)}`
    let text: string
    try {
      text = readFileSync(source === "-" ? 0 : expandHome(source.slice(1)), "utf8")
    } catch {
      return Effect.fail(
        new UsageError({
          message: `--${flag}: ${from} cannot be read`,
          hint: `Give --${flag} @FILE with a readable file, - to read stdin, or the value itself.`
        })
      )
    }
    const value = text.replace(/\r?\n$/, "").trim()
    if (value === "") {
      return Effect.fail(
        new UsageError({
          message: `--${flag}: ${from} is empty`,
          hint: `Put the value in it, alone on one line.`
        })
      )
    }
    return Effect.succeed(value)
  })

/**
 * The filter flags' texts with `@FILE` and `-` values of personal flags read (`@@…` is a literal
 * value starting with `@`). `stdinTaken` says whether stdin is already read by something else
 * (`--filter-file -`). Warns on stderr, once, when a personal value was given inline and stdin or
 * stderr is a terminal.
 */
export const resolvePersonal = (
  texts: Readonly<Record<string, ReadonlyArray<string>>>,
  stdinTaken: boolean
): Effect.Effect<Readonly<Record<string, ReadonlyArray<string>>>, UsageError> =>
  Effect.gen(function* () {
    const out: Record<string, ReadonlyArray<string>> = { ...texts }
    const inline: Array<string> = []
    let stdinBy = stdinTaken ? "--filter-file" : undefined
    for (const flag of personalFlags) {
      const values = texts[flag.wire] ?? []
      const read: Array<string> = []
      for (const value of values) {
        if (value === "-") {
          if (stdinBy !== undefined) {
            return yield* new UsageError({
              message: `--${flag.flag} - and ${stdinBy} - both want stdin`,
              hint: "Only one value can come from stdin; give the others as @FILE."
            })
          }
          stdinBy = `--${flag.flag}`
          read.push(yield* readValue(flag.flag, value))
        } else if (value.startsWith("@@")) read.push(value.slice(1))
        else if (value.startsWith("@") && value.length > 1) read.push(yield* readValue(flag.flag, value))
        else {
          if (!inline.includes(`--${flag.flag}`)) inline.push(`--${flag.flag}`)
          read.push(value)
        }
      }
      if (values.length > 0) out[flag.wire] = read
    }
    if (inline.length > 0 && (process.stdin.isTTY === true || process.stderr.isTTY === true)) {
      const names =
        inline.length === 1 ? inline[0]! : `${inline.slice(0, -1).join(", ")} and ${inline.at(-1)!}`
      yield* Term.err(
        Term.yellow(
          `Warning: ${names} ${inline.length === 1 ? "is" : "are"} visible to other local users (ps); pass ${inline[0]} @FILE or ${inline[0]} - (stdin) instead.`
        )
      )
    }
    return out
  })
