/**
 * Validation of raw input against a filter specification: every problem reported at once, each with
 * its field path, rule and a message that names the field and the rule — never the value, which may
 * be personal data.
 *
 * @since 0.1.0
 */
import { Either, Option, type ParseResult, Schema, SchemaAST } from "effect"
import * as Field from "./Field.js"
import * as FilterSpec from "./FilterSpec.js"

/**
 * One problem: where (`interests[1].sapInterestId`), which rule, and a message a person can act on.
 *
 * @category models
 * @since 0.1.0
 */
export const Issue = Schema.Struct({
  path: Schema.String.annotations({
    description: "Field path, e.g. interests[1].sapInterestId; empty for the whole body."
  }),
  rule: Schema.String.annotations({
    description: "The rule broken: required, type, non-empty, date, range-order, unknown-field, …"
  }),
  message: Schema.String.annotations({
    description: "What is wrong and how to fix it; never repeats the value."
  })
})

/**
 * @since 0.1.0
 */
export type Issue = typeof Issue.Type

/**
 * The input of an export request broke one or more rules; nothing was sent. `issues` lists every
 * problem (field path, rule, message); `kind`, when a front end sets it, the export kind's name
 * (`ExportKind`'s `name`) whose filter it was, so that its hint can point at that kind's help;
 * `message` lists them one a line; `hint` says what to do, as on the client's other errors.
 *
 * @category errors
 * @since 0.1.0
 */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  issues: Schema.NonEmptyArray(Issue),
  kind: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const count = this.issues.length
    return `${count} problem${count === 1 ? "" : "s"} in the export filter:\n${formatIssues(this.issues)}`
  }
  /** What to do about it. */
  get hint(): string {
    return "Fix the fields listed in the message (each names the field and the rule it broke); nothing was sent."
  }
}

/**
 * One line per issue: `  - posCodes: must list at least one value [non-empty-list]`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatIssues = (issues: ReadonlyArray<Issue>): string =>
  issues.map((issue) => `  - ${issue.path || "(body)"}: ${issue.message} [${issue.rule}]`).join("\n")

/**
 * Joins a path the way people read it: `interests[1].sapInterestId`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`
    return out === "" ? String(key) : `${out}.${String(key)}`
  }, "")

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/**
 * The known name closest to `name` (case-insensitive edit distance, or a prefix), if any is close.
 *
 * @category formatting
 * @since 0.1.0
 */
export const suggest = (name: string, known: ReadonlyArray<string>): string | undefined => {
  const lower = name.toLowerCase()
  let best: { name: string; score: number } | undefined
  for (const candidate of known) {
    const other = candidate.toLowerCase()
    const score = other.startsWith(lower) || lower.startsWith(other) ? 1 : distance(lower, other)
    if (best === undefined || score < best.score) best = { name: candidate, score }
  }
  return best !== undefined && best.score <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined
}

const describeType = (ast: SchemaAST.AST): string => {
  switch (ast._tag) {
    case "StringKeyword":
      return "text"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "TupleType":
      return "a list"
    case "TypeLiteral":
      return "an object"
    case "Refinement":
      return describeType(ast.from)
    case "Transformation":
      return describeType(ast.from)
    case "Suspend":
      return describeType(ast.f())
    default:
      return "a different kind of value"
  }
}

const knownKeys = (ast: SchemaAST.AST): ReadonlyArray<string> => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures.map((ps) => String(ps.name))
    case "Refinement":
    case "Transformation":
      return knownKeys(ast.from)
    default:
      return []
  }
}

/** What a field name looks like; an unknown member named otherwise (an email, a phone) is not repeated. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/

/**
 * Stands in the path of an unknown member whose name does not look like a field name: the name was
 * written by the caller and may be personal data.
 *
 * @category formatting
 * @since 0.1.0
 */
export const HIDDEN_NAME = "(unknown member)"

const annotatedMessage = (
  issue: ParseResult.Refinement | ParseResult.Type | ParseResult.Composite
): string => {
  const message = Option.getOrUndefined(SchemaAST.getMessageAnnotation(issue.ast))
  const text = typeof message === "function" ? message(issue) : message
  return typeof text === "string" ? text : "is not valid"
}

const toIssues = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  keys: ReadonlyArray<string>,
  rule?: string
): Array<Issue> => {
  switch (issue._tag) {
    case "Pointer": {
      const next = path.concat(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])
      return toIssues(issue.issue, next, keys, rule)
    }
    case "Composite": {
      const own = issue.ast.annotations[Field.RuleId]
      if (issue.ast._tag === "Union" && typeof own === "string") {
        // a value outside a closed set (a choice): one issue naming the allowed values
        return [{ path: formatPath(path), rule: own, message: annotatedMessage(issue) }]
      }
      const inner = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      const here = knownKeys(issue.ast)
      return inner.flatMap((child) => toIssues(child, path, here.length > 0 ? here : keys, rule))
    }
    case "Refinement": {
      if (issue.kind === "From") return toIssues(issue.issue, path, knownKeys(issue.ast.from))
      const ruleId = issue.ast.annotations[Field.RuleId]
      const name = typeof ruleId === "string" ? ruleId : "invalid"
      if (issue.issue._tag === "Type") {
        return [{ path: formatPath(path), rule: name, message: annotatedMessage(issue) }]
      }
      return toIssues(issue.issue, path, keys, name)
    }
    case "Transformation":
      return toIssues(issue.issue, path, keys)
    case "Type": {
      if (rule !== undefined && issue.message !== undefined) {
        return [{ path: formatPath(path), rule, message: issue.message }]
      }
      const own = issue.ast.annotations[Field.RuleId]
      if (issue.ast._tag === "Union" && typeof own === "string") {
        return [{ path: formatPath(path), rule: own, message: annotatedMessage(issue) }]
      }
      return [{ path: formatPath(path), rule: "type", message: `must be ${describeType(issue.ast)}` }]
    }
    case "Missing":
      return [{ path: formatPath(path), rule: "required", message: "is required" }]
    case "Unexpected": {
      const name = String(path[path.length - 1] ?? "")
      const hint = suggest(name, keys)
      const shown = FIELD_NAME.test(name) ? path : [...path.slice(0, -1), HIDDEN_NAME]
      return [
        {
          path: formatPath(shown),
          rule: "unknown-field",
          message: `is not a known field${hint ? ` — did you mean ${hint}?` : ""}`
        }
      ]
    }
    case "Forbidden":
      return [{ path: formatPath(path), rule: "invalid", message: "is not valid" }]
  }
}

const dedupe = (issues: ReadonlyArray<Issue>): Array<Issue> => {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.rule}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Normalises `input` (trim, lower-case emails and country ids, drop duplicate list members) and
 * validates it against `spec`, reporting every problem at once. Never throws, whatever the input.
 *
 * @category validation
 * @since 0.1.0
 */
export const validate = <A>(
  spec: FilterSpec.FilterSpec<A>,
  input: unknown
): Either.Either<A, ValidationError> => {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return Either.left(
      new ValidationError({
        issues: [{ path: "", rule: "type", message: "the filter must be a JSON object" }]
      })
    )
  }
  const normalized = spec.normalize(input)
  const result = Schema.decodeUnknownEither(spec.schema, { errors: "all", onExcessProperty: "error" })(
    normalized
  )
  if (Either.isRight(result)) return Either.right(result.right)
  const issues = toIssues(result.left.issue, [], Object.keys(spec.fields))
  const ranges = spec.rangeProblems(normalized as Record<string, unknown>).map((problem) => ({
    path: formatPath(problem.path),
    rule: FilterSpec.RANGE_ORDER,
    message: problem.message
  }))
  const order = Object.keys(spec.fields)
  const rank = (issue: Issue) => {
    const index = order.indexOf(issue.path.split(/[.[]/)[0] ?? "")
    return index === -1 ? order.length : index
  }
  const all = dedupe([
    ...issues,
    ...ranges.filter((range) => !issues.some((issue) => issue.path === range.path))
  ])
    .map((issue, position) => ({ issue, position }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.position - b.position)
    .map(({ issue }) => issue)
  const [first, ...rest] = all.length > 0 ? all : [{ path: "", rule: "invalid", message: "is not valid" }]
  return Either.left(new ValidationError({ issues: [first!, ...rest] }))
}
