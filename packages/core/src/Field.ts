/**
 * Field builders: each field of an export filter is declared once, as an Effect Schema that carries
 * its description, examples and rules, together with the normalisation applied to raw input before
 * validation (trim, lower-case, drop duplicate list members). Filters of every export kind are built
 * from these, so the CLI flags, the JSON Schema and the MCP tool schemas all derive from one place.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Annotation key naming the validation rule a refinement enforces (`"non-empty"`, `"date"`, …).
 * Validation errors report it as `rule`.
 *
 * @since 0.1.0
 */
export const RuleId: unique symbol = Symbol.for("@booster-export/core/RuleId")

/**
 * Annotation key marking a field whose values are personal data (emails, phones, free search).
 * Such values are never repeated in messages, descriptions or logs.
 *
 * @since 0.1.0
 */
export const PersonalDataId: unique symbol = Symbol.for("@booster-export/core/PersonalData")

/**
 * The documentation of one field: what it means and sample values.
 *
 * @since 0.1.0
 */
export interface FieldDoc {
  /** One sentence saying what the field selects. */
  readonly description: string
  /** Sample values, shown in `--help`, JSON Schema and MCP tool schemas. */
  readonly examples?: ReadonlyArray<unknown>
  /** True when values of the field are personal data. */
  readonly personal?: boolean
}

/**
 * A field: its schema (the validated, normalised type) and the normalisation applied to raw input.
 *
 * @since 0.1.0
 */
export interface Field<A> {
  readonly schema: Schema.Schema<A>
  /** Normalises raw input; leaves values of the wrong type untouched for validation to report. */
  readonly normalize: (raw: unknown) => unknown
  /** The kind of value, used by the CLI to build flags: text, number, boolean or a list / object list. */
  readonly kind: FieldKind
  readonly doc: FieldDoc
}

/**
 * The shape of a field's value, enough for a command line to derive a flag from it.
 *
 * @since 0.1.0
 */
export type FieldKind =
  | { readonly _tag: "Text" }
  | { readonly _tag: "Date" }
  | { readonly _tag: "Number" }
  | { readonly _tag: "Integer" }
  | { readonly _tag: "Boolean" }
  | {
      readonly _tag: "Choice"
      /** The allowed values, as the API spells them. */
      readonly values: ReadonlyArray<string>
      /** What each value means, in a few words (`""` when the value says it all). */
      readonly meanings: Readonly<Record<string, string>>
    }
  | { readonly _tag: "List"; readonly item: FieldKind }
  | { readonly _tag: "Record"; readonly members: ReadonlyArray<string> }

const rule = (id: string, message: string) => ({ [RuleId]: id, message: () => message })

const trimIfString = (raw: unknown): unknown => (typeof raw === "string" ? raw.trim() : raw)
const lowerIfString = (raw: unknown): unknown => (typeof raw === "string" ? raw.trim().toLowerCase() : raw)

/**
 * What no text field may hold: C0 and C1 control characters and DEL (escape sequences start with
 * one; tabs and line breaks included), the bidirectional marks, embeddings, overrides and isolates,
 * the line and paragraph separators, the invisible formatting characters (zero-width space, word
 * joiner, soft hyphen, byte-order mark…) and the Unicode tags. The zero-width non-joiner and joiner
 * (U+200C, U+200D) are allowed: Persian, the Indic scripts and emoji sequences need them.
 */
const CONTROL_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/u

/**
 * True when `text` holds a character no text field of a filter accepts (rule
 * `no-control-characters`): a control character (escape sequences, tabs and line breaks included),
 * a bidirectional control, a line or paragraph separator, an invisible formatting character (the
 * zero-width non-joiner and joiner excepted) or a Unicode tag. Such text could rewrite what a person
 * confirms on a terminal, or read other than it is.
 *
 * @since 0.1.0
 */
export const hasControlCharacters = (text: string): boolean => CONTROL_CHARACTERS.test(text)

/** A string that is not empty once trimmed, with no control, bidirectional or invisible character. */
const NonEmptyText = Schema.String.pipe(
  Schema.minLength(1, rule("non-empty", "must not be empty or blank")),
  Schema.filter((text) => !hasControlCharacters(text), {
    ...rule(
      "no-control-characters",
      "must not hold control characters (escape sequences, tabs, line breaks), bidirectional controls or invisible characters"
    ),
    jsonSchema: {}
  })
)

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/

const isCalendarDate = (s: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const withDoc = <A>(schema: Schema.Schema<A>, title: string, doc: FieldDoc): Schema.Schema<A> =>
  schema.annotations({
    title,
    description: doc.description,
    ...(doc.examples ? { examples: doc.examples as [A, ...Array<A>] } : {}),
    ...(doc.personal ? { [PersonalDataId]: true } : {})
  })

/**
 * Trimmed, non-empty text.
 *
 * @since 0.1.0
 */
export const text = (title: string, doc: FieldDoc): Field<string> => ({
  schema: withDoc(NonEmptyText, title, doc),
  normalize: trimIfString,
  kind: { _tag: "Text" },
  doc
})

/**
 * Trimmed, non-empty text that is also a route segment (such as `{brand}`): it may not be only
 * dots, since `.` and `..` would change the route it is put in (rule `route-segment`). The value is
 * percent-encoded when the route is built.
 *
 * @since 0.1.0
 */
export const segment = (title: string, doc: FieldDoc): Field<string> => ({
  schema: withDoc(
    NonEmptyText.pipe(
      Schema.pattern(
        /^(?!\.+$)/,
        rule("route-segment", "must not be only dots (. or ..): it is a segment of the request's route")
      )
    ),
    title,
    doc
  ),
  normalize: trimIfString,
  kind: { _tag: "Text" },
  doc
})

/**
 * An email address: trimmed, lower-cased, syntactically valid.
 *
 * @since 0.1.0
 */
export const email = (title: string, doc: FieldDoc): Field<string> => ({
  schema: withDoc(
    NonEmptyText.pipe(Schema.pattern(EMAIL, rule("email", "must be a valid email address"))),
    title,
    doc
  ),
  normalize: lowerIfString,
  kind: { _tag: "Text" },
  doc
})

/**
 * A two-letter lower-case country id (`it`, `fr`); input is trimmed and lower-cased.
 *
 * @since 0.1.0
 */
export const countryId = (title: string, doc: FieldDoc): Field<string> => ({
  schema: withDoc(
    Schema.String.pipe(
      Schema.pattern(/^[a-z]{2}$/, rule("country-id", "must be two letters, such as it or fr"))
    ),
    title,
    doc
  ),
  normalize: lowerIfString,
  kind: { _tag: "Text" },
  doc
})

/**
 * A calendar date written `YYYY-MM-DD` that exists (2023-02-30 does not).
 *
 * @since 0.1.0
 */
export const date = (title: string, doc: FieldDoc): Field<string> => ({
  schema: withDoc(
    Schema.String.pipe(
      Schema.filter(isCalendarDate, {
        ...rule("date", "must be a real calendar date written YYYY-MM-DD"),
        jsonSchema: { format: "date", pattern: "^\\d{4}-\\d{2}-\\d{2}$" }
      })
    ),
    title,
    doc
  ),
  normalize: trimIfString,
  kind: { _tag: "Date" },
  doc
})

/**
 * An amount: a finite number, zero or more.
 *
 * @since 0.1.0
 */
export const amount = (title: string, doc: FieldDoc): Field<number> => ({
  schema: withDoc(
    Schema.Number.pipe(
      Schema.finite(rule("finite", "must be a finite number")),
      Schema.nonNegative(rule("non-negative", "must be zero or more"))
    ),
    title,
    doc
  ),
  normalize: (raw) => (raw === 0 ? 0 : raw),
  kind: { _tag: "Number" },
  doc
})

/**
 * An integer between `min` and `max` inclusive.
 *
 * @since 0.1.0
 */
export const integerBetween = (min: number, max: number, ruleId: string, message: string) =>
  Schema.Number.pipe(Schema.int(rule(ruleId, message)), Schema.between(min, max, rule(ruleId, message)))

/**
 * The allowed values of a closed set written for people: `standard or consigned`, or with their
 * meanings, `B (backorder), C (created) or D (draft)`.
 *
 * @since 0.1.0
 */
export const allowedText = (choices: Readonly<Record<string, string>>): string => {
  const items = Object.entries(choices).map(([value, meaning]) =>
    meaning === "" ? value : `${value} (${meaning})`
  )
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`
}

/**
 * One value of a closed set, such as an item type (`standard`, `consigned`) or a sort order.
 * `choices` maps each allowed value, exactly as the API spells it, to its meaning in a few words
 * (`""` when the value says it all). The allowed values are in the JSON Schema (`enum`), in the
 * field's description (so in `--help`), and in the validation error (rule `choice`), which names
 * the field and the values, never the value given. Input is trimmed and matched without regard to
 * case (`datedesc` is read as `DateDESC`).
 *
 * @since 0.1.0
 */
export const choice = <const V extends string>(
  title: string,
  choices: { readonly [K in V]: string },
  doc: FieldDoc
): Field<V> => {
  const values = Object.keys(choices) as Array<V>
  if (values.length === 0) throw new Error(`choice ${title} needs at least one value`)
  const described: FieldDoc = { ...doc, description: `${doc.description} One of: ${allowedText(choices)}.` }
  const byLower = new Map(values.map((value) => [value.toLowerCase(), value]))
  return {
    schema: withDoc(
      Schema.Literal(...(values as [V, ...Array<V>])).annotations(
        rule("choice", `must be one of ${values.join(", ")}`)
      ),
      title,
      described
    ),
    normalize: (raw) =>
      typeof raw === "string" ? (byLower.get(raw.trim().toLowerCase()) ?? raw.trim()) : raw,
    kind: { _tag: "Choice", values, meanings: choices },
    doc: described
  }
}

/**
 * A true / false flag.
 *
 * @since 0.1.0
 */
export const flag = (title: string, doc: FieldDoc): Field<boolean> => ({
  schema: withDoc(Schema.Boolean, title, doc),
  normalize: (raw) => raw,
  kind: { _tag: "Boolean" },
  doc
})

/**
 * An integer field with a range rule, e.g. a birth month 1..12 or a positive safe integer id.
 *
 * @since 0.1.0
 */
export const integer = (
  title: string,
  doc: FieldDoc,
  range: { readonly min: number; readonly max: number; readonly rule: string; readonly message: string }
): Field<number> => ({
  schema: withDoc(integerBetween(range.min, range.max, range.rule, range.message), title, doc),
  normalize: (raw) => raw,
  kind: { _tag: "Integer" },
  doc
})

/** Compares list members by value, so that `{a:1,b:2}` and `{b:2,a:1}` are one member. */
const canonicalKey = (value: unknown): string => JSON.stringify(canonicalize(value))

/**
 * A value with object keys sorted, for stable comparison and hashing.
 *
 * @since 0.1.0
 */
export const canonicalize = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonicalize)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonicalize((value as Record<string, unknown>)[key])])
    )
  }
  return value
}

/**
 * A list of `item`s where order carries no meaning ("any of"): duplicates are dropped, keeping the
 * first occurrence; `required` lists must have at least one member.
 *
 * @since 0.1.0
 */
export const list = <A>(
  title: string,
  item: Field<A>,
  doc: FieldDoc,
  options: { readonly required?: boolean } = {}
): Field<ReadonlyArray<A>> => {
  const base = Schema.Array(item.schema)
  const described: FieldDoc =
    item.kind._tag === "Choice"
      ? { ...doc, description: `${doc.description} Each one of: ${allowedText(item.kind.meanings)}.` }
      : doc
  const schema = options.required
    ? base.pipe(Schema.minItems(1, rule("non-empty-list", "must list at least one value")))
    : base
  return {
    schema: withDoc(schema, title, described),
    normalize: (raw) => {
      if (!Array.isArray(raw)) return raw
      const seen = new Set<string>()
      const out: Array<unknown> = []
      for (const member of raw.map(item.normalize)) {
        const key = canonicalKey(member)
        if (!seen.has(key)) {
          seen.add(key)
          out.push(member)
        }
      }
      return out
    },
    kind: { _tag: "List", item: item.kind },
    doc: described
  }
}

/**
 * Any field, whatever its value type.
 *
 * @since 0.1.0
 */
export interface AnyField {
  readonly schema: Schema.Schema.AnyNoContext
  readonly normalize: (raw: unknown) => unknown
  readonly kind: FieldKind
  readonly doc: FieldDoc
}

/**
 * The value type of a field.
 *
 * @since 0.1.0
 */
export type FieldType<F extends AnyField> = Schema.Schema.Type<F["schema"]>

/**
 * The value type of a record with `Required` and `Optional` members.
 *
 * @since 0.1.0
 */
export type RecordType<
  Required extends Record<string, AnyField>,
  Optional extends Record<string, AnyField>
> = {
  readonly [K in keyof Required]: FieldType<Required[K]>
} & { readonly [K in keyof Optional]?: FieldType<Optional[K]> }

/**
 * An object of named members (e.g. an interest `{interest, sapInterestId}`): `required` members must
 * be present, `optional` ones may be; with `atLeastOne`, an object with no member at all is refused.
 * Unknown members are refused by validation.
 *
 * @since 0.1.0
 */
export const record = <
  const Required extends Record<string, AnyField>,
  const Optional extends Record<string, AnyField>
>(
  title: string,
  members: { readonly required: Required; readonly optional: Optional },
  doc: FieldDoc,
  options: { readonly atLeastOne?: boolean } = {}
): Field<RecordType<Required, Optional>> => {
  const all: Record<string, AnyField> = { ...members.required, ...members.optional }
  const fields: Record<string, Schema.Schema.AnyNoContext | Schema.PropertySignature.All> = {}
  for (const [name, member] of Object.entries(members.required)) fields[name] = member.schema
  for (const [name, member] of Object.entries(members.optional)) {
    fields[name] = Schema.optionalWith(member.schema, { exact: true })
  }
  const struct = Schema.Struct(fields) as unknown as Schema.Schema<RecordType<Required, Optional>>
  const names = Object.keys(all)
  const schema = options.atLeastOne
    ? struct.pipe(
        Schema.filter(
          (value) => names.some((name) => (value as Record<string, unknown>)[name] !== undefined),
          {
            ...rule("at-least-one-member", `must give at least one of ${names.join(", ")}`),
            jsonSchema: { minProperties: 1 }
          }
        )
      )
    : struct
  return {
    schema: withDoc(schema, title, doc),
    normalize: (raw) => {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw
      return Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [
          key,
          Object.hasOwn(all, key) ? all[key]!.normalize(value) : value
        ])
      )
    },
    kind: { _tag: "Record", members: names },
    doc
  }
}
