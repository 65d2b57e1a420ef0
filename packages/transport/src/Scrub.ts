/**
 * Scrubbing of text that came from a server (error bodies, `responseStatus` messages, field errors,
 * task fields) before it reaches an error, a log or an output: terminal control sequences and other
 * C0/C1 control characters are removed, the request's personal values are replaced by a
 * placeholder (case-insensitively, also in their URL-encoded and JSON-escaped forms), and raw bodies
 * are cut to a short excerpt.
 *
 * @since 0.1.0
 */
import type { FilterSpec } from "@booster-export/core"

/**
 * What stands in for a personal value.
 *
 * @since 0.1.0
 */
export const PLACEHOLDER = "<personal value>"

/**
 * Longest excerpt of a raw server body kept in an error, in characters.
 *
 * @since 0.1.0
 */
export const EXCERPT_CHARS = 200

// ESC-introduced sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes), their 8-bit
// forms, then any other C0/C1 control character (tab and line breaks become spaces).
const SEQUENCES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[@-Z\\-_ -/]*[0-~]?/g
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g
const BREAKS = /[\t\n\r]/g

/**
 * The text without terminal escape sequences or other control characters (tabs and line breaks
 * become spaces).
 *
 * @since 0.1.0
 */
export const controls = (text: string): string =>
  text.replace(SEQUENCES, "").replace(CONTROLS, "").replace(BREAKS, " ")

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The forms a value may take in server text: as is, URL-encoded (both space forms), JSON-escaped. */
const formsOf = (value: string): ReadonlyArray<string> => {
  const encoded = encodeURIComponent(value)
  return [...new Set([value, encoded, encoded.replace(/%20/g, "+"), JSON.stringify(value).slice(1, -1)])]
}

/** Values shorter than this are not replaced (they would blank out ordinary words). */
const MIN_CHARS = 3

/**
 * A scrubber for a request's personal values: removes control sequences, then replaces each value
 * (case-insensitively, also URL-encoded or JSON-escaped) by {@link PLACEHOLDER}.
 *
 * @since 0.1.0
 */
export const make = (personal: ReadonlyArray<string> = []): ((text: string) => string) => {
  const forms = personal
    .map((value) => value.trim())
    .filter((value) => value.length >= MIN_CHARS)
    .flatMap(formsOf)
    .sort((a, b) => b.length - a.length)
  const pattern = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join("|"), "gi")
  return (text) => {
    const clean = controls(text)
    return pattern === undefined ? clean : clean.replace(pattern, PLACEHOLDER)
  }
}

/**
 * Scrubs `text` (see {@link make}) and cuts it to {@link EXCERPT_CHARS} characters.
 *
 * @since 0.1.0
 */
export const excerpt = (text: string, scrub: (text: string) => string = make()): string => {
  const clean = scrub(text)
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS)}…` : clean
}

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
  Object.entries(spec.fields).flatMap(([name, field]) => {
    if ((field as { doc: { personal?: boolean } }).doc.personal !== true) return []
    const value = request[name]
    const values = Array.isArray(value) ? value : [value]
    return values.filter((v): v is string => typeof v === "string")
  })
