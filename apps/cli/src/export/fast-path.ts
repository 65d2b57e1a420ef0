/**
 * The command lines of `booster export [KIND] … --dry-run` that the launcher's fast path runs without the
 * command framework: this reads them, and answers `undefined` for anything it does not understand
 * for certain (the full program then runs them): an option it does not know, a flag without its
 * value, a value starting with `-` (stdin, `--filter-file -`, or a flag taken for a value) other
 * than a relative date such as `-30d`, `--purpose` (the full program checks it first, journal rules), an option given twice that takes one value, a word that is
 * not an option's value, `--name=value`, or `BOOSTER_LOG=debug` (which shows the program's own
 * traces). What it accepts means the same to @effect/cli; a test runs both on a table of inputs.
 */

import { ExportKind } from "@booster-export/core"
import type * as DryRun from "./dry-run.js"
import { EXTRA_ALIASES, flagsOf } from "./filter-flags.js"

type Setting = "savedFilter" | "filterFile" | "downloadRequestId" | "profile" | "baseUrl" | "apiKeyFile"

type Spec =
  | { readonly kind: "boolean"; readonly name: "dryRun" | "showPersonal" | "json" | "other" }
  | { readonly kind: "value"; readonly name: Setting | "other"; readonly integer?: boolean }
  | { readonly kind: "filter"; readonly wire: string; readonly repeated: boolean }

/** The options every kind's export command has, by every name they are written with. */
const COMMON: ReadonlyArray<readonly [string, Spec]> = [
  ["--dry-run", { kind: "boolean", name: "dryRun" }],
  ["--show-personal", { kind: "boolean", name: "showPersonal" }],
  ["--json", { kind: "boolean", name: "json" }],
  // accepted by the command, of no consequence to a dry run
  ...["--yes", "-y", "--no-input", "--wait", "--download", "--overwrite", "--force", "--reuse"].map(
    (name): [string, Spec] => [name, { kind: "boolean", name: "other" }]
  ),
  ["--filter", { kind: "value", name: "savedFilter" }],
  ["--filter-file", { kind: "value", name: "filterFile" }],
  ["--download-request-id", { kind: "value", name: "downloadRequestId" }],
  ["--profile", { kind: "value", name: "profile" }],
  ["--base-url", { kind: "value", name: "baseUrl" }],
  ["--api-key-file", { kind: "value", name: "apiKeyFile" }],
  ["--output", { kind: "value", name: "other" }],
  ["-o", { kind: "value", name: "other" }],
  ["--timeout", { kind: "value", name: "other", integer: true }]
]

/** One kind's export options the fast path knows: the common ones and the kind's filter flags. */
const optionsOf = (kind: ExportKind.Any): ReadonlyMap<string, Spec> =>
  new Map<string, Spec>([
    ...COMMON,
    ...flagsOf(kind).flatMap((flag): Array<[string, Spec]> => {
      const spec: Spec = { kind: "filter", wire: flag.wire, repeated: flag.repeated }
      const alias = EXTRA_ALIASES[flag.wire]
      return [
        [`--${flag.flag}`, spec],
        ...(alias !== undefined ? [[`--${alias}`, spec] as [string, Spec]] : [])
      ]
    })
  ])

const OPTIONS: ReadonlyMap<string, ReadonlyMap<string, Spec>> = new Map(
  ExportKind.all.map((kind) => [kind.name, optionsOf(kind)])
)

/** The option names the fast path knows for `kind` (for the test that holds them to the command's). */
export const knownOptionsOf = (kind: ExportKind.Any): ReadonlyArray<string> => [
  ...(OPTIONS.get(kind.name)?.keys() ?? [])
]

/** The option names the fast path knows for the customer export. */
export const knownOptions: ReadonlyArray<string> = knownOptionsOf(ExportKind.Customer)

/** A value the full program reads as this option's value, for certain. */
const plainValue = (value: string | undefined, integer: boolean): value is string =>
  value !== undefined &&
  value !== "" &&
  (!value.startsWith("-") || /^-\d/.test(value)) &&
  (!integer || /^\d{1,9}$/.test(value))

/**
 * The dry run the arguments after `booster` ask for, or `undefined` when the full program must run
 * them (see the module's description).
 */
export const parse = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = process.env
): DryRun.Input | undefined => {
  if (args[0] !== "export") return undefined
  if (env.BOOSTER_LOG?.trim().toLowerCase() === "debug" || env.BOOSTER_HELP_PATHS === "1") return undefined
  // `booster export KIND …` (the subcommand's exact name): the kind's own options; else customers'
  const named = ExportKind.all.find((kind) => kind.name === args[1])
  const kind = named ?? ExportKind.Customer
  const options = OPTIONS.get(kind.name)!
  const seen = new Set<Spec>()
  const texts: Record<string, Array<string>> = {}
  const values: Partial<Record<Setting, string>> = {}
  const flags = { dryRun: false, showPersonal: false, json: false }
  for (let i = named !== undefined ? 2 : 1; i < args.length; i++) {
    const spec = options.get(args[i]!)
    if (spec === undefined) return undefined
    const once = spec.kind !== "filter" || !spec.repeated
    if (once && seen.has(spec)) return undefined
    seen.add(spec)
    if (spec.kind === "boolean") {
      if (spec.name !== "other") flags[spec.name] = true
      continue
    }
    const value = args[++i]
    if (!plainValue(value, spec.kind === "value" && spec.integer === true)) return undefined
    if (spec.kind === "filter") texts[spec.wire] = [...(texts[spec.wire] ?? []), value]
    else if (spec.name !== "other") values[spec.name] = value
  }
  if (!flags.dryRun) return undefined
  return {
    kind,
    savedFilter: values.savedFilter,
    filterFile: values.filterFile,
    downloadRequestId: values.downloadRequestId,
    texts,
    settings: { profile: values.profile, baseUrl: values.baseUrl, apiKeyFile: values.apiKeyFile },
    showPersonal: flags.showPersonal,
    json: flags.json
  }
}
