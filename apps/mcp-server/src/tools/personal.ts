/**
 * Keeps personal values out of tool results: fields marked personal in core (emails, phones, free
 * search) are replaced by a placeholder wherever a filter or request body is shown.
 */
import type { FilterSpec } from "@booster-export/core"

/** What stands in for a personal value in a result. */
export const PLACEHOLDER = "<personal value, not repeated>"

/** The names of the personal fields of a filter specification. */
export const personalFields = <A>(spec: FilterSpec.FilterSpec<A>): ReadonlyArray<string> =>
  Object.entries(spec.fields)
    .filter(([, field]) => field.doc.personal === true)
    .map(([name]) => name)

/**
 * A copy of `value` with every personal field replaced by {@link PLACEHOLDER} (each member, for a
 * list), and the names of the fields replaced.
 */
export const redact = <A>(
  spec: FilterSpec.FilterSpec<A>,
  value: Readonly<Record<string, unknown>>
): { readonly value: Record<string, unknown>; readonly redacted: ReadonlyArray<string> } => {
  const personal = new Set(personalFields(spec))
  const redacted: Array<string> = []
  const out: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(value)) {
    if (personal.has(key) && member !== undefined && member !== null) {
      redacted.push(key)
      out[key] = Array.isArray(member) ? member.map(() => PLACEHOLDER) : PLACEHOLDER
    } else {
      out[key] = member
    }
  }
  return { value: out, redacted }
}
