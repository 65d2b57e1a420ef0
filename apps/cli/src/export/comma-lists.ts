/**
 * Commas in filter flags: a list flag takes several values at once (`--pos-code IT100,FR100`, split
 * by `FilterInput.fromFlags`), a flag of one value refuses a comma instead of sending a glued value
 * that matches nothing, and a validation problem of a split flag says how to write a comma inside a
 * value (`\\,`).
 */
import { ExportKind, Validation } from "@booster-export/core"
import { Effect } from "effect"
import { UsageError } from "../output/errors.js"
import { flagsOf } from "./filter-flags.js"

/** The flags of `kind` given a comma in a value, where a comma means something: list and nested flags. */
export const splitFlags = (
  texts: Readonly<Record<string, ReadonlyArray<string>>>,
  kind: ExportKind.Any = ExportKind.Customer
): ReadonlyArray<string> =>
  flagsOf(kind)
    .filter((flag) => flag.repeated && (texts[flag.wire] ?? []).some((v) => /(^|[^\\]),/.test(v)))
    .map((flag) => flag.wire)

/**
 * Refuses a comma in a flag that takes one value and has no use for commas (`--brand CAR,IWC`): it
 * would be sent glued, as one value that matches nothing. Personal free text is left as given.
 */
export const checkSingleValues = (
  texts: Readonly<Record<string, ReadonlyArray<string>>>,
  kind: ExportKind.Any = ExportKind.Customer
): Effect.Effect<void, UsageError> => {
  const glued = flagsOf(kind).find(
    (flag) =>
      !flag.repeated &&
      flag.kind === "text" &&
      flag.field.doc.personal !== true &&
      (texts[flag.wire] ?? []).some((v) => v.includes(","))
  )
  return glued === undefined
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `--${glued.flag} takes one value, and a comma is not part of one`,
          hint: `Give --${glued.flag} a single value${glued.wire === "brand" ? " (one export per brand)" : ""}; commas separate the values of list flags such as --pos-code IT100,FR100.`
        })
      )
}

/**
 * A validation failure of a filter whose list values were split at commas: each problem of such a
 * flag says how a comma inside a value is written.
 */
export const explain = (
  error: Validation.ValidationError,
  split: ReadonlyArray<string>
): Validation.ValidationError => {
  if (split.length === 0) return error
  const [first, ...rest] = error.issues.map((issue) => {
    const wire = /^[A-Za-z]+/.exec(issue.path)?.[0]
    return wire !== undefined && split.includes(wire)
      ? {
          ...issue,
          message: `${issue.message} (values are split at commas: write \\, for a comma inside one)`
        }
      : issue
  })
  return new Validation.ValidationError({ issues: [first!, ...rest] })
}
