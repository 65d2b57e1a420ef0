/**
 * The @effect/cli options of the filter: one per filter flag (derived in `filter-flags.ts`) and
 * `--filter-file`, shared by `export` and `filters save`.
 */

import type { ExportKind } from "@booster-export/core"
import { Options } from "@effect/cli"
import { Option } from "effect"
import {
  EXTRA_ALIASES,
  type FilterFlag,
  filterFlags,
  flagsOf,
  helpOf,
  placeholderOf
} from "./filter-flags.js"

const optionOf = (flag: FilterFlag): Options.Options<ReadonlyArray<string>> => {
  let base = Options.text(flag.flag).pipe(
    Options.withDescription(helpOf(flag)),
    Options.withPseudoName(placeholderOf(flag))
  )
  const alias = EXTRA_ALIASES[flag.wire]
  if (alias !== undefined) base = base.pipe(Options.withAlias(alias))
  if (flag.repeated) return Options.repeated(base)
  return base.pipe(
    Options.optional,
    Options.map(Option.match({ onNone: () => [], onSome: (value) => [value] }))
  )
}

const optionsOfFlags = (
  flags: ReadonlyArray<FilterFlag>
): Options.Options<Readonly<Record<string, ReadonlyArray<string>>>> =>
  Options.all(Object.fromEntries(flags.map((flag) => [flag.wire, optionOf(flag)])))

/** The @effect/cli options of every customer filter flag, keyed by wire field; each yields the texts given. */
export const filterOptions: Options.Options<Readonly<Record<string, ReadonlyArray<string>>>> =
  optionsOfFlags(filterFlags)

/** The @effect/cli options of every filter flag of `kind`, keyed by wire field; each yields the texts given. */
export const filterOptionsOf = (
  kind: ExportKind.Any
): Options.Options<Readonly<Record<string, ReadonlyArray<string>>>> => optionsOfFlags(flagsOf(kind))

/** The `--filter-file PATH|-` option, shared by `export` and `filters save`. */
export const filterFileOption = Options.text("filter-file").pipe(
  Options.withPseudoName("PATH|-"),
  Options.withDescription(
    "Read the filter from a JSON file in the wire shape (- for stdin); flags given as well replace its fields."
  ),
  Options.optional
)

/** The `--filter NAME` option (a saved filter), shared by `export` and `schedule add`. */
export const savedFilterOption = Options.text("filter").pipe(
  Options.withPseudoName("NAME"),
  Options.withDescription(
    "Start from a saved filter (`booster filters save`); flags given as well replace its fields."
  ),
  Options.optional
)
