/**
 * Checks a command line against the command tree before it runs, the way gh and kubectl do: an
 * unknown command or flag is named with the closest known one ("did you mean"), and a group of
 * commands given without one of them (`booster tasks`) asks for the group's help page, unless the
 * group is a command of its own too (`booster export` is the customer export).
 */
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Help from "./help.js"

/** What a command line asks for, when it is not simply a command to run. */
export type Verdict =
  | { readonly _tag: "GroupHelp"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Unknown"; readonly message: string; readonly hint: string }

/** Flags every command takes from @effect/cli itself, with whether each takes a value. */
const BUILT_IN: ReadonlyMap<string, boolean> = new Map([
  ["help", false],
  ["h", false],
  ["version", false],
  ["completions", true],
  ["log-level", true],
  ["wizard", false]
])

/** The known name closest to `wanted` (two letters or a third of them off, or a prefix), if any. */
export const closest = (wanted: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const distance =
      name.startsWith(wanted) && wanted.length >= 3
        ? 0.5
        : AutoCorrect.levensteinDistance(wanted, name, CliConfig.defaultConfig)
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  return bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined
}

/** A word the person typed, shown only when it looks like a command or flag name (never a value). */
const shown = (word: string): string => (/^-{0,2}[A-Za-z][A-Za-z0-9-]{0,39}$/.test(word) ? ` ${word}` : "")

const command = (path: ReadonlyArray<string>) => ["booster", ...path].join(" ")

/** Judges the arguments after `booster`: `undefined` when they name a command to run as given. */
export const check = (root: Help.Root, args: ReadonlyArray<string>): Verdict | undefined => {
  const all = Help.entries(root)
  let entry = all[0]!
  let i = 0
  while (i < args.length) {
    const arg = args[i]!
    if (arg === "--") return undefined
    if (entry.children.length > 0 && !arg.startsWith("-")) {
      const names = entry.children.map((child) => String(Help.standardOf(child).name))
      if (names.includes(arg)) {
        entry = all.find((e) => e.path.join(" ") === [...entry.path, arg].join(" "))!
        i++
        continue
      }
      const guess = closest(arg, names)
      return {
        _tag: "Unknown",
        message: `${command(entry.path)} has no command${shown(arg)}`,
        hint:
          guess !== undefined
            ? `Did you mean \`${command([...entry.path, guess])}\`? See \`${command(["help", ...entry.path])}\`.`
            : `Its commands: ${names.join(", ")}. See \`${command(["help", ...entry.path])}\`.`
      }
    }
    if (arg.startsWith("-") && arg !== "-") {
      const long = arg.startsWith("--")
      const name = (long ? arg.slice(2) : arg.slice(1)).split("=")[0]!
      const flags = Help.flagsOf(entry.standard.options)
      const known = new Map<string, boolean>(BUILT_IN)
      for (const flag of flags) {
        known.set(flag.name, flag.value !== undefined)
        for (const alias of flag.aliases) known.set(alias, flag.value !== undefined)
      }
      // short flags clustered (`-yo FILE`): the last one may take a value
      const cluster = !long && name.length > 1 && [...name].every((c) => known.has(c))
      const takesValue = cluster ? known.get(name[name.length - 1]!) : known.get(name)
      if (takesValue === undefined) {
        const guess = closest(
          name,
          flags.map((flag) => flag.name)
        )
        return {
          _tag: "Unknown",
          message: `${command(entry.path)} has no flag${shown(long ? `--${name}` : `-${name}`)}`,
          hint:
            guess !== undefined
              ? `Did you mean --${guess}? See \`${command([...entry.path, "--help"])}\`.`
              : `See \`${command([...entry.path, "--help"])}\` for its flags.`
        }
      }
      i += takesValue && !arg.includes("=") ? 2 : 1
      continue
    }
    i++
  }
  // a group that is a command of its own as well (`booster export`: the customer export, with flags)
  // runs; a group that is only its commands (`booster tasks`) shows its help
  return entry.children.length > 0 &&
    entry.path.length > 0 &&
    Help.flagsOf(entry.standard.options).length === 0
    ? { _tag: "GroupHelp", path: entry.path }
    : undefined
}
