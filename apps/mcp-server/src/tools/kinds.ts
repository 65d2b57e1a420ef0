/**
 * The export kinds as the tools take them: a `kind` argument (one of core's six names, default
 * `customers`), one input schema that describes every kind's filter fields once per field name
 * (saying which kinds take a field where not all do), and the server-side validation of a call by
 * the chosen kind's own filter specification, whose errors name the field and the rule broken.
 */
import { ExportKind, Field, FilterSpec, JsonSchema, Task, Validation } from "@booster-export/core"
import * as Journal from "@booster-export/journal/Journal"
import { Array as Arr, Effect, Either } from "effect"

/** The kind an argument-less (earlier) call means. */
export const DEFAULT_KIND: ExportKind.Any = ExportKind.Customer

const personal = ExportKind.all.filter((kind) => kind.personalData.carries).map((kind) => kind.name)

const choices = Object.fromEntries(
  ExportKind.all.map((kind) => [
    kind.name,
    kind.personalData.carries ? "" : "no personal data known, no consent"
  ])
) as Record<ExportKind.Name, string>

const byChoice = Field.choice("kind", choices, {
  description: `Which export (default customers); personal data in ${personal.join(", ")}.`
})

/** The `kind` argument: a kind's name (or alias, any case; core's `choice`), default customers. */
export const kindField: Field.AnyField = {
  ...byChoice,
  normalize: (raw) =>
    byChoice.normalize(typeof raw === "string" ? (ExportKind.byName(raw)?.name ?? raw) : raw)
}

const KindOnly = FilterSpec.make({
  required: {},
  optional: { kind: kindField },
  description: "The export kind."
})

/** The kind a call names (`kind`, default customers) and the other arguments, or the validation error. */
export const kindOf = (
  args: Readonly<Record<string, unknown>>
): Either.Either<
  { readonly kind: ExportKind.Any; readonly rest: Record<string, unknown> },
  Validation.ValidationError
> => {
  const { kind: raw, ...rest } = args
  if (raw === undefined) return Either.right({ kind: DEFAULT_KIND, rest })
  return Either.map(Validation.validate(KindOnly, { kind: raw }), (valid) => ({
    kind: ExportKind.byName(String(valid.kind)) ?? DEFAULT_KIND,
    rest
  }))
}

/**
 * A validation error of `kind`'s filter in which a field refused as unknown that another kind takes
 * says which kinds take it (an agent mixing up two kinds' fields sees its mistake).
 */
export const explainForeignFields = (
  kind: ExportKind.Any,
  error: Validation.ValidationError
): Validation.ValidationError => {
  const issues = Arr.map(error.issues, (issue) => {
    if (issue.rule !== "unknown-field") return issue
    const takers = ExportKind.all
      .filter((other) => Object.hasOwn(other.filter.fields, issue.path))
      .map((k) => k.name)
    return takers.length === 0
      ? issue
      : { ...issue, message: `is not a field of ${kind.name} exports (only of ${takers.join(", ")})` }
  })
  return new Validation.ValidationError({ issues })
}

/**
 * The kind whose task type `type` is, if any. A kind whose own type is not documented may share it
 * (see {@link typeDoesNotTell}): the type alone never waives consent.
 */
export const byTaskType = (type: string): ExportKind.Any | undefined => {
  const wanted = type.trim().toLowerCase()
  return ExportKind.all.find((kind) => kind.taskType?.toLowerCase() === wanted)
}

/** The kinds whose API task type is not documented: a task of any type may be one of theirs. */
const untyped = ExportKind.all.filter((kind) => kind.taskType === undefined).map((kind) => kind.name)

const orList = (names: ReadonlyArray<string>): string =>
  names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`

/**
 * Why the task type alone does not say a task's file holds no personal data, for a kind without
 * personal data (stock) known from the type only; `undefined` for any other kind. Some kinds' task
 * types are not documented (movements', which may well be `stock`), so a task typed as a kind
 * without personal data may be an export of one of them: only this install's own record of starts
 * tells a stock export apart (see `consent/download.ts`).
 */
export const typeDoesNotTell = (kind: ExportKind.Any | undefined): string | undefined =>
  kind === undefined || kind.personalData.carries || kind.taskType === undefined || untyped.length === 0
    ? undefined
    : `its task type (${kind.taskType}) does not distinguish a ${kind.name} export from a ${orList(untyped)} export ` +
      "(their task types are not documented), whose files hold personal data"

/**
 * The kind of a task as far as it is known: by its task type, unless that names a kind without
 * personal data (stock) and a journal start of it recorded a kind with personal data
 * (`journalKind`) — the type does not tell stock from a kind whose type is not documented, and
 * believing the journal there only adds caution; else, for a task whose type names no kind, by the
 * kind the journal's start recorded when that kind carries personal data. A journal calling a task
 * a kind without personal data is never believed (any team member can write the journal, and the
 * kind decides whether a file is said to hold personal data).
 */
export const ofTask = (task: Task.Task, journalKind: string | undefined): ExportKind.Any | undefined => {
  const typed = byTaskType(task.type)
  const recorded = journalKind === undefined ? undefined : ExportKind.byName(journalKind)
  const personal = recorded?.personalData.carries === true ? recorded : undefined
  return typed === undefined || !typed.personalData.carries ? (personal ?? typed) : typed
}

/**
 * The kind of each task as far as it is known: by its task type, else by the kind the journal's
 * start of it recorded (a journal that cannot be read knows none; see {@link ofTask}). For showing
 * and recording only: whether consent is asked never rests on the journal, which a team's members
 * can all write, nor on the task type.
 */
export const kindsOfTasks: Effect.Effect<
  (task: Task.Task) => ExportKind.Any | undefined,
  never,
  Journal.Journal
> = Effect.flatMap(Journal.Journal, (journal) => journal.entries).pipe(
  Effect.map((entries) => {
    const started = new Map<string, string>()
    for (const entry of entries) {
      if (Journal.isStart(entry)) started.set(Task.canonicalGuid(entry.asyncTaskId), Journal.kindOf(entry))
    }
    return (task: Task.Task) => ofTask(task, started.get(Task.canonicalGuid(task.asyncTaskId)))
  }),
  Effect.orElseSucceed(() => (task: Task.Task) => byTaskType(task.type))
)

type Node = Record<string, unknown>

const isNode = (value: unknown): value is Node =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** The members of `variants` that every one of them has with the same value (descriptions aside). */
const common = (variants: ReadonlyArray<Node>): Node => {
  const [first, ...others] = variants
  const out: Node = {}
  for (const [key, value] of Object.entries(first ?? {})) {
    if (key === "description" || key === "examples") continue
    const json = JSON.stringify(value)
    if (others.every((other) => JSON.stringify(other[key]) === json)) out[key] = value
  }
  return out
}

const list = (names: ReadonlyArray<string>) => names.join(", ")

/**
 * One description for a field whose kinds' descriptions differ only in what they export (each kind's
 * own is in its filter specification, which validates the call).
 */
const SHARED_DESCRIPTIONS: Readonly<Record<string, string>> = {
  brand: "The brand whose data is exported (also the {brand} segment of the route).",
  posCodes:
    "POS (point of sale) legacy codes the export is restricted to; at least one, except for stock (optional; what the API exports without them is not documented).",
  dateFrom:
    "On or after this date (YYYY-MM-DD): for stock, the date an item is in stock since; else the movement's, sale's, invoice's or order's date.",
  dateTo:
    "On or before this date (YYYY-MM-DD): for stock, the date an item is in stock since; else the movement's, sale's, invoice's or order's date."
}

/**
 * The JSON Schema of every kind's filter fields together, each field described once: a field whose
 * description differs between kinds gets each kind's description (kinds sharing one said once), a
 * field not every kind takes says which do, and constraints not shared by every kind are left to the
 * server's validation by the chosen kind (e.g. `posCodes`, required by all kinds but stock). Only
 * `brand`, required by every kind, is required here.
 */
export const mergedFilterSchema = (): { readonly properties: Node; readonly required: Array<string> } => {
  const byName = new Map<string, Array<{ kind: ExportKind.Any; schema: Node }>>()
  for (const kind of ExportKind.all) {
    const properties = (JsonSchema.ofFilter(kind.filter) as Node).properties
    for (const [name, member] of Object.entries(isNode(properties) ? properties : {})) {
      const variants = byName.get(name) ?? []
      variants.push({ kind, schema: member as Node })
      byName.set(name, variants)
    }
  }
  const properties: Node = {}
  for (const [name, variants] of byName) {
    const schema = common(variants.map((variant) => variant.schema))
    const byDescription = new Map<string, Array<string>>()
    for (const { kind, schema: member } of variants) {
      const description = String(member.description ?? "")
      byDescription.set(description, [...(byDescription.get(description) ?? []), kind.name])
    }
    const required = ExportKind.all.filter((kind) => kind.filter.required.includes(name)).map((k) => k.name)
    const takers = variants.map((variant) => variant.kind.name)
    const description =
      SHARED_DESCRIPTIONS[name] !== undefined
        ? `${SHARED_DESCRIPTIONS[name]}${takers.length < ExportKind.all.length ? ` (kinds: ${list(takers)})` : ""}`
        : byDescription.size === 1
          ? `${[...byDescription.keys()][0]}${takers.length < ExportKind.all.length ? ` (kinds: ${list(takers)})` : ""}`
          : [...byDescription].map(([text, kinds]) => `${list(kinds)}: ${text}`).join(" ")
    const requiredNote =
      required.length > 0 &&
      required.length < ExportKind.all.length &&
      SHARED_DESCRIPTIONS[name] === undefined
        ? ` Required for ${list(required)}.`
        : ""
    const examples = variants.find((variant) => variant.schema.examples !== undefined)?.schema.examples
    properties[name] = {
      ...schema,
      description: `${description}${requiredNote}`,
      ...(examples !== undefined ? { examples } : {})
    }
  }
  const required = [...byName.keys()].filter((name) =>
    ExportKind.all.every((kind) => kind.filter.required.includes(name))
  )
  return { properties, required }
}

/**
 * The input schema of a tool taking `kind` and any kind's filter, plus the tool's own arguments
 * (`own`, e.g. `force`), described by `description`.
 */
export const inputSchema = (
  own: Readonly<Record<string, Field.AnyField>>,
  description: string
): JsonSchema.JsonSchema => {
  const merged = mergedFilterSchema()
  const ownSchema = JsonSchema.ofFilter(
    FilterSpec.make({ required: {}, optional: { kind: kindField, ...own }, description })
  ) as Node
  const { kind, ...ownProperties } = ownSchema.properties as Node
  return {
    type: "object",
    description,
    required: merged.required,
    properties: { kind, ...merged.properties, ...ownProperties },
    additionalProperties: false
  } as JsonSchema.JsonSchema
}
