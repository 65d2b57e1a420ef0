/**
 * Tool results: structured content with a text rendering, or an `isError` result whose text says
 * what is wrong and what to do next. Free of Effect, so the server's start-up path stays light.
 */
import type { Validation } from "@booster-export/core"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"

/** A successful result: the structured content and a text rendering of it. */
export const success = (text: string, structured: Readonly<Record<string, unknown>>): CallToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: { ...structured }
})

/** A failed call: text that says what is wrong and what to do next. */
export const failure = (text: string): CallToolResult => ({
  content: [{ type: "text", text }],
  isError: true
})

/** A validation failure: every problem by field path and rule, then the next step. */
export const invalid = (error: Validation.ValidationError, next: string): CallToolResult => {
  const count = error.issues.length
  return failure(
    `The arguments have ${count} problem${count === 1 ? "" : "s"}; nothing was sent:\n` +
      error.issues
        .map((issue) => `  - ${issue.path || "(arguments)"}: ${issue.message} [${issue.rule}]`)
        .join("\n") +
      `\nNext step: ${next}`
  )
}
