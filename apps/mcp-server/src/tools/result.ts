/**
 * Tool results: structured content with a text rendering, or an `isError` result whose text says
 * what is wrong and what to do next. Free of Effect, so the server's start-up path stays light.
 */
import type { Validation } from "@booster-export/core"
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
