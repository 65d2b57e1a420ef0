/**
 * Renders the client's errors as `isError` results that say what happened and what to do next.
 * The errors' messages never carry personal values or secrets, so they are shown as they are.
 */
import type { Validation } from "@booster-export/core"
import type * as Journal from "@booster-export/journal/Journal"
import type * as Purpose from "@booster-export/journal/Purpose"
import type { BoosterError } from "@booster-export/transport"
import type { CallToolResult } from "@modelcontextprotocol/server"
import type { ApiUnavailable } from "../booster/api.js"
import { failure, invalid } from "./tool.js"

/** Any error a tool may meet. */
export type ToolError =
  | BoosterError.BoosterError
  | ApiUnavailable
  | Journal.JournalError
  | Purpose.PurposeError

const isValidation = (error: ToolError): error is Validation.ValidationError =>
  error._tag === "ValidationError"

const detail = (error: { readonly status?: number | undefined; readonly requestId?: string | undefined }) => {
  const parts = [
    ...(error.status !== undefined ? [`HTTP ${error.status}`] : []),
    ...(error.requestId !== undefined ? [`request id ${error.requestId}`] : [])
  ]
  return parts.length > 0 ? ` (${parts.join(", ")})` : ""
}

/** The `isError` result of an error; `next` is the tool-specific next step, if any. */
export const render = (error: ToolError, next?: string): CallToolResult => {
  if (isValidation(error)) return invalid(error, next ?? "fix the fields listed above and try again.")
  switch (error._tag) {
    case "ApiUnavailable":
      return failure(`No Booster API is available: ${error.message}\nNext step: ${error.hint}`)
    case "PurposeError":
      return failure(
        `Nothing was sent: ${error.message}.\nNext step: ask the user for a ticket number or a short reason without personal data.`
      )
    case "JournalError":
      return failure(
        error.path !== undefined
          ? `Nothing was sent: ${error.message}. Without the journal the start could not be checked against a duplicate nor recorded, so no export is started.\n` +
              "Next step: tell the user the server's local journal cannot be written (a full disk or a read-only folder); there is no way around it from here."
          : `${error.message}\nNext step: check that the journal is reachable and writable.`
      )
    case "OutcomeUnknownError":
      return failure(
        `${error.message}${detail(error)}\n` +
          (error.candidates.length > 0
            ? `Tasks that may be this export: ${error.candidates.join(", ")}.\n` +
              "Next step: look at them with get_export_task before starting again; starting blindly may export the same personal data twice."
            : `Next step: ${error.hint} Look at list_export_tasks before starting again; starting blindly may export the same personal data twice.`)
      )
    case "RateLimitedError":
      return failure(
        `${error.message}${detail(error)}\nNext step: ${error.hint}${error.retryAt !== undefined ? ` (try again after ${error.retryAt})` : ""}`
      )
    case "InvalidConfigError":
      if (error.code !== undefined && error.field === "XDG_STATE_HOME") {
        return failure(
          `Nothing was sent: ${error.message}. Without it the start could not be checked against a duplicate, so no export is started.\n` +
            `Next step: tell the user the server's local state folder cannot be written (${error.hint}).`
        )
      }
      return failure(
        `The server's Booster configuration is invalid (${error.field}): ${error.message}\nNext step: ${error.hint}`
      )
    default:
      return failure(`${error.message}${detail(error)}\nNext step: ${next ?? error.hint}`)
  }
}
