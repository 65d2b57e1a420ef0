/**
 * Tool results: structured content with a text rendering, or an `isError` result whose text says
 * what is wrong and what to do next; and the last step of every result before it reaches the
 * assistant. Free of Effect, so the server's start-up path stays light.
 */
import type { Validation } from "@booster-export/core"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import type { CallToolResult } from "@modelcontextprotocol/server"

/** A successful result: the structured content, a text rendering of it, and any further content items. */
export const success = (
  text: string,
  structured: Readonly<Record<string, unknown>>,
  more: ReadonlyArray<CallToolResult["content"][number]> = []
): CallToolResult => ({
  content: [{ type: "text", text }, ...more],
  structuredContent: { ...structured }
})

/** A failed call: text that says what is wrong and what to do next. */
export const failure = (text: string): CallToolResult => ({
  content: [{ type: "text", text }],
  isError: true
})

const IDENTIFIER_PATH =
  /^[A-Za-z_][A-Za-z0-9_]{0,39}(\[\d+\](\.[A-Za-z_][A-Za-z0-9_]{0,39})?)*(\.[A-Za-z_][A-Za-z0-9_]{0,39})?$/

/**
 * The path of an issue as shown. An unknown member's name was written by the caller and could be
 * anything (even an email address), so one that does not look like a field name is not repeated.
 */
export const shownPath = (path: string): string => {
  if (path === "") return "(arguments)"
  return IDENTIFIER_PATH.test(path) ? path : "(a member whose name is not a field name)"
}

/** A validation failure: every problem by field path and rule, then the next step. */
export const invalid = (error: Validation.ValidationError, next: string): CallToolResult => {
  const count = error.issues.length
  return failure(
    `The arguments have ${count} problem${count === 1 ? "" : "s"}; nothing was sent:\n` +
      error.issues
        .map((issue) => `  - ${shownPath(issue.path)}: ${issue.message} [${issue.rule}]`)
        .join("\n") +
      `\nNext step: ${next}`
  )
}

/** Text for the assistant: foreign text cleaned (line breaks kept), every URL without user info or query. */
export const cleanText = (text: string): string => Redact.urlsInText(Scrub.text(text))

/** A structured value for the assistant: {@link cleanText} on one line. */
const cleanValue = (text: string): string => Redact.urlsInText(Scrub.line(text))

/**
 * The result as it leaves the server: strings that came from the API (task types, statuses, dates,
 * error messages) could carry terminal escapes or invisible characters meant to steer a model, and
 * a URL could carry a signature granting access to personal data. Every text item is cleaned with
 * {@link cleanText}, every string of the structured content (keys too) on one line; other content
 * items are kept as they are.
 */
export const outgoing = (result: CallToolResult): CallToolResult => ({
  ...result,
  content: result.content.map((item) =>
    item.type === "text" ? { ...item, text: cleanText(item.text) } : item
  ),
  ...(result.structuredContent !== undefined
    ? { structuredContent: Scrub.deep(result.structuredContent, cleanValue) as Record<string, unknown> }
    : {})
})
