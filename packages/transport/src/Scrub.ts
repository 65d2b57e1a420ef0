/**
 * The one cleaner of foreign text: anything a server, a storage host, a file, an assistant or a
 * token issuer wrote, before it reaches a terminal, a log, an error, an assistant or the journal.
 *
 * - Escape sequences are removed whole, in their 7-bit (`ESC …`) and 8-bit (C1) forms: control
 *   strings (OSC, DCS, SOS, PM, APC) with their payload up to BEL or ST (an unterminated one up to
 *   the end of the text, as a terminal would swallow what follows), CSI sequences, and every other
 *   escape (two-character escapes, character-set designations).
 * - Then every other C0 and C1 control character and DEL, the bidirectional marks, embeddings,
 *   overrides and isolates (U+200E/200F, U+061C, U+202A–202E, U+2066–2069), and the invisible
 *   characters (zero-width U+200B–200D, U+2060–206F, U+FEFF, the soft hyphen U+00AD, U+180E, the
 *   line and paragraph separators U+2028/2029, and the Unicode tag characters U+E0000–E007F that
 *   can smuggle text to a model).
 *
 * Two forms: {@link text} keeps line feeds and tabs (multi-line text; a CR or CR LF becomes a line
 * feed), {@link line} turns every run of them into one space (a value shown on one line). {@link deep}
 * cleans a JSON value, keys included. {@link make} also replaces a request's personal values by
 * {@link PLACEHOLDER}, and {@link hidePersonal} replaces the fields marked personal.
 *
 * Free of Effect: start-up paths use it.
 *
 * @since 0.1.0
 */
import type { FilterSpec } from "@booster-export/core"

/**
 * What stands in for a personal value, wherever one is kept out of what is shown.
 *
 * @since 0.1.0
 */
export const PLACEHOLDER = "<personal value, not shown>"

/**
 * Longest excerpt of a raw server body kept in an error, in characters.
 *
 * @since 0.1.0
 */
export const EXCERPT_CHARS = 200

// Control strings (OSC, DCS, SOS, PM, APC) with their payload, then CSI, then any other escape.
const SEQUENCES =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -/]*[0-~]?/g
// Controls (tab, line feed and carriage return are handled by each form), bidirectional and
// invisible characters, Unicode tags.
const HIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/gu
// The same, tab and line breaks included: what {@link escaped} writes out.
const HIDDEN_OR_BREAK =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/gu

/**
 * Foreign multi-line text made safe to show: escape sequences (with their payloads) and every
 * control, bidirectional and invisible character removed; line feeds and tabs kept, a CR or CR LF
 * becomes a line feed.
 *
 * @since 0.1.0
 */
export const text = (input: string): string =>
  input.replace(SEQUENCES, "").replace(HIDDEN, "").replace(/\r\n?/g, "\n")

/**
 * A foreign value made safe to show on one line: {@link text}, and every run of tabs and line
 * breaks becomes one space.
 *
 * @since 0.1.0
 */
export const line = (input: string): string =>
  input
    .replace(SEQUENCES, "")
    .replace(HIDDEN, "")
    .replace(/[\t\n\r]+/g, " ")

/**
 * A JSON value with every string in it, keys included, passed through `clean` ({@link text} unless
 * given). A value with a `toJSON` method (a `Date`) is cleaned as the JSON it stands for.
 *
 * @since 0.1.0
 */
export const deep = (value: unknown, clean: (text: string) => string = text): unknown => {
  if (typeof value === "string") return clean(value)
  if (Array.isArray(value)) return value.map((member) => deep(member, clean))
  if (value !== null && typeof value === "object") {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      return deep((value as { toJSON: () => unknown }).toJSON(), clean)
    }
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [clean(key), deep(member, clean)]))
  }
  return value
}

/**
 * The text with every character the cleaners remove (controls, tabs and line breaks included,
 * bidirectional, invisible and tag characters) written as `\u{…}`, and each backslash doubled: for
 * a value that must stay on one line yet be told apart from a look-alike (an audit actor's name),
 * where removing would make `alice` and `alice` + U+200B read alike.
 *
 * @since 0.1.0
 */
export const escaped = (input: string): string =>
  input
    .replace(/\\/g, "\\\\")
    .replace(HIDDEN_OR_BREAK, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`)

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The forms a value may take in server text: as is, URL-encoded (both space forms), JSON-escaped. */
const formsOf = (value: string): ReadonlyArray<string> => {
  const encoded = encodeURIComponent(value)
  return [value, encoded, encoded.replace(/%20/g, "+"), JSON.stringify(value).slice(1, -1)]
}

/** Values shorter than this are not replaced (they would blank out ordinary words). */
const MIN_CHARS = 3

/**
 * A scrubber of server text for one request: {@link line}, then each of the request's personal
 * values (case-insensitively, also URL-encoded or JSON-escaped, as given or as cleaned) replaced by
 * {@link PLACEHOLDER}. Values shorter than 3 characters are left alone.
 *
 * @since 0.1.0
 */
export const make = (personal: ReadonlyArray<string> = []): ((text: string) => string) => {
  const forms = [
    ...new Set(
      personal
        .flatMap((value) => [value.trim(), line(value).trim()])
        .filter((value) => value.length >= MIN_CHARS)
        .flatMap(formsOf)
    )
  ].sort((a, b) => b.length - a.length)
  const pattern = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join("|"), "gi")
  return (input) => {
    const clean = line(input)
    return pattern === undefined ? clean : clean.replace(pattern, PLACEHOLDER)
  }
}

/**
 * Scrubs `text` (see {@link make}) and cuts it to {@link EXCERPT_CHARS} characters.
 *
 * @since 0.1.0
 */
export const excerpt = (input: string, scrub: (text: string) => string = make()): string => {
  const clean = scrub(input)
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS)}…` : clean
}

/**
 * The names of the fields a filter specification marks personal (emails, phones, free search).
 *
 * @since 0.1.0
 */
export const personalFields = <A>(spec: FilterSpec.FilterSpec<A>): ReadonlyArray<string> =>
  Object.entries(spec.fields)
    .filter(([, field]) => field.doc.personal === true)
    .map(([name]) => name)

/**
 * The personal values of a request: the values of the fields marked personal in the kind's filter
 * specification (each member, for a list).
 *
 * @since 0.1.0
 */
export const personalValues = <A>(
  spec: FilterSpec.FilterSpec<A>,
  request: Readonly<Record<string, unknown>>
): ReadonlyArray<string> =>
  personalFields(spec).flatMap((name) => {
    const value = request[name]
    const values = Array.isArray(value) ? value : [value]
    return values.filter((v): v is string => typeof v === "string")
  })

/**
 * A copy of `value` (a filter or a request body) with every field marked personal in `spec`
 * replaced by {@link PLACEHOLDER} (each member, for a list), and the names of the fields replaced.
 *
 * @since 0.1.0
 */
export const hidePersonal = <A>(
  spec: FilterSpec.FilterSpec<A>,
  value: Readonly<Record<string, unknown>>
): { readonly value: Record<string, unknown>; readonly hidden: ReadonlyArray<string> } => {
  const personal = new Set(personalFields(spec))
  const hidden: Array<string> = []
  const out: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(value)) {
    if (personal.has(key) && member !== undefined && member !== null) {
      hidden.push(key)
      out[key] = Array.isArray(member) ? member.map(() => PLACEHOLDER) : PLACEHOLDER
    } else {
      out[key] = member
    }
  }
  return { value: out, hidden }
}
