/**
 * The last step of every tool result before it reaches the assistant: strings that came from the
 * API (task types, statuses, dates, error messages) could carry terminal escapes or invisible
 * control characters meant to steer a model, and a URL could carry a signature granting access to
 * personal data. Control characters are removed (text keeps its line breaks and tabs) and the query
 * and fragment of every URL are replaced by `?<redacted>`. Free of Effect: it runs on the start-up
 * path.
 */
import type { CallToolResult } from "@modelcontextprotocol/server"

// C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides and
// isolates that can reorder what a reader sees.
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g
const URL_QUERY = /\b(https?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi

/** `text` without signatures in URLs and without control characters (line breaks and tabs kept). */
export const cleanText = (text: string): string =>
  text.replace(CONTROL_IN_TEXT, "").replace(URL_QUERY, "$1?<redacted>")

/** A single-line value without signatures in URLs and without any control character. */
export const cleanValue = (value: string): string =>
  value.replace(CONTROL, "").replace(URL_QUERY, "$1?<redacted>")

const cleanStructured = (value: unknown): unknown => {
  if (typeof value === "string") return cleanValue(value)
  if (Array.isArray(value)) return value.map(cleanStructured)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, cleanStructured(member)]))
}

/** The result with every text and structured string cleaned; other content items are kept as they are. */
export const sanitize = (result: CallToolResult): CallToolResult => ({
  ...result,
  content: result.content.map((item) =>
    item.type === "text" ? { ...item, text: cleanText(item.text) } : item
  ),
  ...(result.structuredContent !== undefined
    ? { structuredContent: cleanStructured(result.structuredContent) as Record<string, unknown> }
    : {})
})
