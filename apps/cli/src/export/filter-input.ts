/**
 * Turns the texts given to the filter flags, a filter file and profile defaults into one raw filter
 * (wire shape), and reports validation problems with both the flag and the wire field.
 */
import { ExportKind, RelativeDate, Validation } from "@booster-export/core"
import * as Scrub from "@booster-export/transport/Scrub"
import { Effect, Either } from "effect"
import { type FilterFlag, flagOf, flagsOf, MEMBER_ALIASES, SHORTHAND } from "./filter-flags.js"

/** Splits on unescaped `sep`; `\,` and `\=` keep the character. */
const splitEscaped = (text: string, sep: string): Array<string> => {
  const out: Array<string> = []
  let current = ""
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === "\\" && i + 1 < text.length) {
      current += text[i + 1]
      i++
    } else if (c === sep) {
      out.push(current)
      current = ""
    } else current += c
  }
  out.push(current)
  return out
}

const firstUnescaped = (text: string, sep: string): number => {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++
    else if (text[i] === sep) return i
  }
  return -1
}

const unescapeText = (text: string): string => splitEscaped(text, "\u0000").join("")

/** Splits on unescaped commas, keeping every escape as written (for the record parser). */
const splitRaw = (text: string): Array<string> => {
  const out: Array<string> = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++
    else if (text[i] === ",") {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out
}

/** The member a key of a nested filter's `key=value` names, if it names one. */
const memberOf = (wire: string, key: string, kind: ExportKind.Any): string | undefined => {
  const trimmed = unescapeText(key).trim()
  const aliased = MEMBER_ALIASES[wire]?.[trimmed.toLowerCase()] ?? trimmed
  return (flagOf(wire, kind)?.members ?? []).includes(aliased) ? aliased : undefined
}

/**
 * The items of one value of a nested filter flag: `Watches=CA-1,Jewels=CA-2` is two interests (no
 * key names a member), `grand=JEW,category=RNG,grand=WAT` two product categories (a repeated member
 * starts the next one); anything else is one item, read by {@link parseRecord}.
 */
export const parseRecords = (
  wire: string,
  text: string,
  kind: ExportKind.Any = ExportKind.Customer
): Array<Record<string, string>> => {
  const pairs = splitRaw(text)
  if (pairs.length === 1) return [parseRecord(wire, text, kind)]
  const keyOf = (pair: string): string | undefined => {
    const at = firstUnescaped(pair, "=")
    return at < 0 ? undefined : pair.slice(0, at)
  }
  if (
    SHORTHAND[wire] !== undefined &&
    pairs.every((pair) => {
      const key = keyOf(pair)
      return key === undefined || memberOf(wire, key, kind) === undefined
    })
  ) {
    return pairs.filter((pair) => pair.trim() !== "").map((pair) => parseRecord(wire, pair, kind))
  }
  const items: Array<Array<string>> = [[]]
  let seen = new Set<string>()
  for (const pair of pairs) {
    const key = keyOf(pair)
    const member = key === undefined ? undefined : memberOf(wire, key, kind)
    if (member !== undefined && seen.has(member)) {
      items.push([])
      seen = new Set()
    }
    if (member !== undefined) seen.add(member)
    items[items.length - 1]!.push(pair)
  }
  return items.map((item) => parseRecord(wire, item.join(","), kind))
}

/**
 * Reads one value of a nested filter flag: `LABEL=ID` for interests, hobbies and product
 * collections, or `key=value,key=value` with member names or their short aliases. An empty side of
 * `LABEL=ID` leaves that member out. Unknown keys are kept so that validation names them.
 */
export const parseRecord = (
  wire: string,
  text: string,
  kind: ExportKind.Any = ExportKind.Customer
): Record<string, string> => {
  const aliases = MEMBER_ALIASES[wire] ?? {}
  const members = flagOf(wire, kind)?.members ?? []
  const keyOf = (key: string): string => aliases[key.trim().toLowerCase()] ?? key.trim()
  const pairs = splitEscaped(text, ",")
  const first = pairs[0] ?? ""
  const eq = firstUnescaped(first, "=")
  const firstKey = eq >= 0 ? keyOf(unescapeText(first.slice(0, eq))) : ""
  const shorthand = SHORTHAND[wire]
  if (shorthand !== undefined && pairs.length === 1 && !members.includes(firstKey)) {
    const [label, id] =
      eq >= 0
        ? [unescapeText(first.slice(0, eq)), unescapeText(first.slice(eq + 1))]
        : [unescapeText(first), ""]
    return {
      ...(label.trim() !== "" ? { [shorthand[0]]: label } : {}),
      ...(id.trim() !== "" ? { [shorthand[1]]: id } : {})
    }
  }
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    if (pair.trim() === "") continue
    const at = firstUnescaped(pair, "=")
    if (at < 0) {
      const only = members[0]
      if (only !== undefined && out[only] === undefined) out[only] = unescapeText(pair)
      else out[unescapeText(pair).trim()] = ""
      continue
    }
    out[keyOf(unescapeText(pair.slice(0, at)))] = unescapeText(pair.slice(at + 1))
  }
  return out
}

const toNumber = (text: string): number | string => {
  const trimmed = text.trim()
  if (trimmed === "") return text
  const value = Number(trimmed)
  return Number.isFinite(value) ? value : text
}

const toBoolean = (text: string): boolean | string => {
  switch (text.trim().toLowerCase()) {
    case "true":
    case "yes":
    case "1":
      return true
    case "false":
    case "no":
    case "0":
      return false
    default:
      return text
  }
}

const convert = (kind: ExportKind.Any, flag: FilterFlag, text: string): unknown => {
  switch (flag.kind) {
    case "number":
    case "integer":
      return toNumber(text)
    case "boolean":
      return toBoolean(text)
    case "record":
      return parseRecord(flag.wire, text, kind)
    default:
      return text
  }
}

/**
 * The filter fields of `kind` (default customers) given as flags, in wire shape (fields not given are absent). A list flag takes
 * several values at once, separated by commas (`--pos-code IT100,FR100`, `\,` for a comma inside a
 * value), as well as repeated.
 */
export const fromFlags = (
  texts: Readonly<Record<string, ReadonlyArray<string>>>,
  kind: ExportKind.Any = ExportKind.Customer
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const flag of flagsOf(kind)) {
    const values = texts[flag.wire] ?? []
    if (values.length === 0) continue
    out[flag.wire] = !flag.repeated
      ? convert(kind, flag, values[0]!)
      : flag.kind === "record"
        ? values.flatMap((v) => parseRecords(flag.wire, v, kind))
        : values.flatMap((v) => splitEscaped(v, ",").map((item) => convert(kind, flag, item.trim())))
  }
  return out
}

/** Defaults a profile gives to the filter. */
export interface FilterDefaults {
  readonly brand?: string | undefined
  readonly posCodes?: ReadonlyArray<string> | undefined
}

/**
 * Merges the filter sources: each field given as a flag replaces the file's, and the profile's
 * brand and POS codes apply only when neither gives them.
 */
export const merge = (
  file: Readonly<Record<string, unknown>>,
  flags: Readonly<Record<string, unknown>>,
  defaults: FilterDefaults
): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...file, ...flags }
  if (merged.brand === undefined && defaults.brand !== undefined) merged.brand = defaults.brand
  if (merged.posCodes === undefined && defaults.posCodes !== undefined && defaults.posCodes.length > 0) {
    merged.posCodes = [...defaults.posCodes]
  }
  return merged
}

/** A validation issue with the flag that sets its field, when one does. */
export interface FlagIssue extends Validation.Issue {
  /** The flag, e.g. `--pos-code`; absent for problems of the body as a whole. */
  readonly flag?: string
}

/**
 * Adds the flag name to each issue, from the issue path's first segment (the wire field): the flag of
 * the first kind (customers first) that has that field, the flag names being the same in every kind.
 */
export const withFlags = (issues: ReadonlyArray<Validation.Issue>): Array<FlagIssue> =>
  issues.map((issue) => {
    const wire = /^[A-Za-z]+/.exec(issue.path)?.[0]
    const flag =
      wire !== undefined
        ? ExportKind.all.map((kind) => flagOf(wire, kind)).find((f) => f !== undefined)
        : undefined
    return flag !== undefined ? { ...issue, flag: `--${flag.flag}` } : issue
  })

/** One line per problem, naming the flag and the wire field. */
export const formatFlagIssues = (issues: ReadonlyArray<FlagIssue>): string =>
  issues
    .map((issue) => {
      const where = issue.flag !== undefined ? `${issue.flag} (${issue.path})` : issue.path || "(filter)"
      return `  - ${where}: ${issue.message} [${issue.rule}]`
    })
    .join("\n")

/**
 * "Now" in the local time zone (`TZ`), against which relative dates resolve. The zone is read when
 * first asked for: it costs milliseconds, and a filter without relative dates never needs it.
 */
export const localClock = (): RelativeDate.Clock => {
  let zone: string | undefined
  return {
    now: Date.now(),
    get timeZone() {
      zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC"
      return zone
    }
  }
}

/**
 * Resolves the relative dates and birth months of a raw filter of `kind` (default customers:
 * `-30d`, `start-of-month`, `next`…) in the local time zone; expressions not understood fail validation, naming the flag and the
 * accepted forms.
 */
export const resolveRelative = (
  filter: Readonly<Record<string, unknown>>,
  kind: ExportKind.Any = ExportKind.Customer,
  clock: RelativeDate.Clock = localClock()
): Effect.Effect<Record<string, unknown>, Validation.ValidationError> =>
  Either.match(RelativeDate.resolveFilter(filter, clock, kind.filter), {
    onLeft: ([first, ...rest]) => Effect.fail(new Validation.ValidationError({ issues: [first!, ...rest] })),
    onRight: Effect.succeed
  })

/** The wire fields of `kind` whose values are personal data (core marks them): email, phone, free search… */
export const personalFieldsOf = (kind: ExportKind.Any): ReadonlyArray<string> =>
  Scrub.personalFields(kind.filter)

/** The customer filter's personal wire fields. */
export const personalFields: ReadonlyArray<string> = personalFieldsOf(ExportKind.Customer)

/** The filter with every personal value replaced by transport's one placeholder (`Scrub.PLACEHOLDER`). */
export const hidePersonal = (
  filter: Readonly<Record<string, unknown>>,
  kind: ExportKind.Any = ExportKind.Customer
): Record<string, unknown> => Scrub.hidePersonal(kind.filter, filter).value
