/**
 * The `purpose` of an export (why it was needed), as every front end takes it and the journal keeps
 * it: one rule, checked at input by `booster --purpose`, `booster-mcp`'s `purpose` and
 * `GuardedStart.run`, so that no personal data reaches the audit trail.
 *
 * A purpose is ticket-like text: letters, digits, spaces and `- _ # / . :` only, at most
 * {@link MAX_LENGTH} characters, with no run of digits that reads as a phone number (8 or more
 * digits, spaces, dots, dashes or slashes between them allowed: `06 12 34 56 78`, `0612345678`,
 * `555-123-4567`; `+` and parentheses are not allowed at all) and no calendar date (a date in a
 * purpose could be a birth date; the journal records when). Emails are refused with `@`.
 *
 * A name cannot be told from a word, so the text is also kept apart from the chain: the chained
 * entry holds {@link hmacOf} the text under a random key of its own, and the text and that key sit
 * beside the chain, where an erasure request removes both (`booster audit redact`); verification
 * still passes, and the entry then shows {@link ERASED}.
 *
 * @since 0.1.0
 */
import { createHmac, randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"

/**
 * The longest purpose accepted, in characters: 200.
 *
 * @since 0.1.0
 */
export const MAX_LENGTH = 200

/**
 * Which rule a purpose broke.
 *
 * @since 0.1.0
 */
export type Rule = "empty" | "length" | "characters" | "phone-number" | "date"

/**
 * The rule in one sentence, for help texts.
 *
 * @since 0.1.0
 */
export const RULE = `ticket-like text: letters, digits, spaces and -_#/.: only, at most ${MAX_LENGTH} characters, no phone number and no date`

/**
 * What an erased purpose reads as: `<erased>`.
 *
 * @since 0.1.0
 */
export const ERASED = "<erased>"

const ALLOWED = /^[\p{L}\p{M}0-9 _#/.:-]*$/u
// digits with at most one space, dot, dash or slash between them
const DIGIT_RUN = /[0-9](?:[ ./-]?[0-9])*/g
const PHONE_DIGITS = 8
// a whole run of digits shaped as a calendar date: day, month, year (or year, month, day)
const DATE =
  /^(?:[0-9]{1,2}[ ./-][0-9]{1,2}[ ./-](?:[0-9]{4}|[0-9]{2})|[0-9]{4}[ ./-][0-9]{1,2}[ ./-][0-9]{1,2})$/

const MESSAGES: Record<Rule, string> = {
  empty: "purpose must not be empty",
  length: `purpose must be at most ${MAX_LENGTH} characters`,
  characters:
    "purpose may hold only letters, digits, spaces and - _ # / . : (no @, +, parentheses or other signs), e.g. a ticket number",
  "phone-number": `purpose must not hold a phone number (${PHONE_DIGITS} or more digits in a row, even with spaces, dots or dashes between them)`,
  date: "purpose must not hold a date (it could be a birth date; the journal records when)"
}

/**
 * Every rule, in the order they are checked.
 *
 * @since 0.1.0
 */
export const RULES: ReadonlyArray<Rule> = ["empty", "length", "characters", "phone-number", "date"]

/**
 * The message of a rule: it names the field and the rule, never a value.
 *
 * @since 0.1.0
 */
export const messageOf = (rule: Rule): string => MESSAGES[rule]

/**
 * The first rule `text` breaks, with a message naming the field and the rule (never the value), or
 * `undefined` when it is a valid purpose.
 *
 * @since 0.1.0
 */
export const problem = (text: string): { readonly rule: Rule; readonly message: string } | undefined => {
  const found = ((): Rule | undefined => {
    if (text.trim() === "") return "empty"
    if ([...text].length > MAX_LENGTH) return "length"
    if (!ALLOWED.test(text)) return "characters"
    for (const run of text.match(DIGIT_RUN) ?? []) {
      if (DATE.test(run)) return "date"
      if (run.replace(/[^0-9]/g, "").length >= PHONE_DIGITS) return "phone-number"
    }
    return undefined
  })()
  return found === undefined ? undefined : { rule: found, message: MESSAGES[found] }
}

/**
 * True when `text` is a valid purpose.
 *
 * @since 0.1.0
 */
export const isValid = (text: string): boolean => problem(text) === undefined

/**
 * A purpose that breaks the rule: `rule` says which, `message` names the field and the rule, never
 * the text. Front ends show it as a validation error (`booster`: exit 2; `booster-mcp`: a tool error).
 *
 * @since 0.1.0
 */
export class PurposeError extends Schema.TaggedError<PurposeError>()("PurposeError", {
  message: Schema.String,
  field: Schema.Literal("purpose"),
  rule: Schema.Literal("empty", "length", "characters", "phone-number", "date")
}) {}

/**
 * Checks a purpose (surrounding spaces trimmed): succeeds with the trimmed text (`undefined` stays
 * `undefined`), or fails with {@link PurposeError}.
 *
 * @since 0.1.0
 */
export const validate = (text: string | undefined): Effect.Effect<string | undefined, PurposeError> => {
  if (text === undefined) return Effect.succeed(undefined)
  const trimmed = text.trim()
  const found = problem(trimmed)
  return found === undefined
    ? Effect.succeed(trimmed)
    : Effect.fail(new PurposeError({ message: found.message, field: "purpose", rule: found.rule }))
}

/**
 * The purpose as an Effect Schema (a string that passes {@link problem}), for front ends that
 * validate input with schemas.
 *
 * @since 0.1.0
 */
export const Purpose = Schema.String.pipe(
  Schema.filter((text) => problem(text)?.message ?? true, {
    identifier: "Purpose",
    description: RULE
  })
)

/**
 * The bytes of a purpose's own key: 32.
 *
 * @since 0.1.0
 */
export const KEY_BYTES = 32

/**
 * A new random key for one purpose.
 *
 * @since 0.1.0
 */
export const newKey = (): Buffer => randomBytes(KEY_BYTES)

/**
 * The keyed hash of a purpose kept in the chain: `hmac-sha256:` and the hex HMAC-SHA-256 of the text
 * (UTF-8) under `key`. The PostgreSQL journal computes the same with pgcrypto's `hmac`.
 *
 * @since 0.1.0
 */
export const hmacOf = (key: Uint8Array, text: string): string =>
  `hmac-sha256:${createHmac("sha256", key).update(text, "utf8").digest("hex")}`
