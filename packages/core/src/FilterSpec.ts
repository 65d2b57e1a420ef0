/**
 * A filter specification: the fields of one export kind's request, which of them are required, and
 * the `…From` / `…To` pairs that must be in order. From it come the request schema (with
 * `downloadRequestId`), the filter schema (without it), and the normaliser.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Field from "./Field.js"

/**
 * A `…From` / `…To` pair of fields whose values must be in order.
 *
 * @since 0.1.0
 */
export interface RangePair {
  readonly from: string
  readonly to: string
}

/**
 * The value type of a filter with `Required` and `Optional` fields.
 *
 * @since 0.1.0
 */
export type FilterType<
  Required extends Record<string, Field.AnyField>,
  Optional extends Record<string, Field.AnyField>
> = Field.RecordType<Required, Optional>

/**
 * A filter specification, built by {@link make}.
 *
 * @since 0.1.0
 */
export interface FilterSpec<A> {
  /** Every field by wire name, in documentation order. */
  readonly fields: Readonly<Record<string, Field.AnyField>>
  /** What a value of this filter selects, one sentence. */
  readonly description: string
  /** Wire names of the required fields. */
  readonly required: ReadonlyArray<string>
  /** Ordered pairs (`clientSpendingFrom` ≤ `clientSpendingTo`, …). */
  readonly ranges: ReadonlyArray<RangePair>
  /** The schema of the validated, normalised value. Unknown fields are refused. */
  readonly schema: Schema.Schema<A>
  /** Normalises raw input (trim, lower-case, drop duplicates) before validation; idempotent. */
  readonly normalize: (raw: unknown) => unknown
  /** The problems with the order of range pairs in an object, if any (used for all-at-once reports). */
  readonly rangeProblems: (value: Readonly<Record<string, unknown>>) => ReadonlyArray<RangeProblem>
}

/**
 * A range pair out of order: reported on the `to` field.
 *
 * @since 0.1.0
 */
export interface RangeProblem {
  readonly path: ReadonlyArray<string>
  readonly message: string
}

const comparable = (value: unknown): value is string | number =>
  (typeof value === "number" && Number.isFinite(value)) || typeof value === "string"

/**
 * The rule id reported when a range pair is out of order.
 *
 * @since 0.1.0
 */
export const RANGE_ORDER = "range-order"

/**
 * Builds a filter specification from its fields and range pairs.
 *
 * @since 0.1.0
 */
export const make = <
  const Required extends Record<string, Field.AnyField>,
  const Optional extends Record<string, Field.AnyField>
>(spec: {
  readonly required: Required
  readonly optional: Optional
  readonly ranges?: ReadonlyArray<RangePair>
  readonly description: string
}): FilterSpec<FilterType<Required, Optional>> => {
  const fields: Record<string, Field.AnyField> = { ...spec.required, ...spec.optional }
  const ranges = spec.ranges ?? []
  const rangeProblems = (value: Readonly<Record<string, unknown>>): ReadonlyArray<RangeProblem> =>
    ranges.flatMap(({ from, to }) => {
      const [low, high] = [value[from], value[to]]
      if (!comparable(low) || !comparable(high) || typeof low !== typeof high) return []
      if (low <= high) return []
      const relation = typeof low === "number" ? "less than" : "before"
      return [{ path: [to], message: `must not be ${relation} ${from}` }]
    })
  const struct = Field.record(
    "filter",
    { required: spec.required, optional: spec.optional },
    {
      description: spec.description
    }
  )
  const schema = struct.schema.pipe(
    Schema.filter((value) => rangeProblems(value as Record<string, unknown>), {
      [Field.RuleId]: RANGE_ORDER
    })
  )
  return {
    description: spec.description,
    fields,
    required: Object.keys(spec.required),
    ranges,
    schema: schema.annotations({ parseOptions: { onExcessProperty: "error", errors: "all" } }),
    normalize: struct.normalize,
    rangeProblems
  }
}

/**
 * The same specification without one field (e.g. the filter without `downloadRequestId`).
 *
 * @since 0.1.0
 */
export const omit = <A, K extends keyof A & string>(spec: FilterSpec<A>, name: K): FilterSpec<Omit<A, K>> => {
  const required: Record<string, Field.AnyField> = {}
  const optional: Record<string, Field.AnyField> = {}
  for (const [key, field] of Object.entries(spec.fields)) {
    if (key === name) continue
    if (spec.required.includes(key)) required[key] = field
    else optional[key] = field
  }
  return make({
    required,
    optional,
    ranges: spec.ranges,
    description: spec.description
  }) as unknown as FilterSpec<Omit<A, K>>
}
