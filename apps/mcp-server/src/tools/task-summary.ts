/**
 * What the tools say about a task: status, percentage and counts — never its download URLs, which
 * grant access to personal data without credentials.
 */
import type { ExportKind } from "@booster-export/core"
import { Task } from "@booster-export/core"
import { Schema } from "effect"

/** A task as tools report it. */
export const TaskSummary = Schema.Struct({
  asyncTaskId: Schema.String.annotations({ description: "Task id." }),
  type: Schema.String.annotations({ description: "Task type, e.g. crm for customer exports." }),
  kind: Schema.optional(Schema.String).annotations({
    description: "The export kind, when known (from the task type or the journal's start)."
  }),
  brand: Schema.String.annotations({ description: "Brand trigram." }),
  status: Schema.String.annotations({ description: "Status as the server wrote it: REQ, INP, COM, ERR, …" }),
  statusKind: Schema.Literal("requested", "in-progress", "completed", "error", "unknown"),
  percentage: Schema.Number.annotations({ description: "Completion, 0..100." }),
  requestDate: Schema.String.annotations({
    description: "When the task was requested, ISO-8601 (as the server wrote it only when it cannot be read)."
  }),
  finished: Schema.Boolean.annotations({ description: "True once the task is completed or in error." }),
  downloadReady: Schema.Boolean.annotations({
    description: "True when download_export_file can fetch the file."
  }),
  totalResults: Schema.optional(Schema.Number),
  totalSucceeded: Schema.optional(Schema.Number),
  totalFailed: Schema.optional(Schema.Number)
})

/** A task as tools report it. */
export type TaskSummary = typeof TaskSummary.Type

/** The summary of a task, of the export kind `exportKind` when it is known. */
export const summarize = (task: Task.Task, exportKind?: ExportKind.Any | undefined): TaskSummary => {
  const kind = Task.statusKind(task.status)
  return {
    asyncTaskId: task.asyncTaskId,
    type: task.type,
    ...(exportKind !== undefined ? { kind: exportKind.name } : {}),
    brand: task.brand,
    status: task.status,
    statusKind: kind,
    percentage: task.percentage,
    requestDate: task.requestDate ?? task.requestDateRaw,
    finished: Task.isFinished(task),
    downloadReady:
      kind === "completed" && (task.signedDownloadUrl !== undefined || task.downloadUrl !== undefined),
    ...(task.totalResults !== undefined ? { totalResults: task.totalResults } : {}),
    ...(task.totalSucceeded !== undefined ? { totalSucceeded: task.totalSucceeded } : {}),
    ...(task.totalFailed !== undefined ? { totalFailed: task.totalFailed } : {})
  }
}

/** One line for people: `9b2e… (customers export, crm, CAR, requested …): in-progress [INP], 40%`. */
export const line = (summary: TaskSummary): string => {
  const counts = [
    ...(summary.totalResults !== undefined ? [`${summary.totalResults} results`] : []),
    ...(summary.totalFailed ? [`${summary.totalFailed} failed`] : [])
  ]
  return (
    `${summary.asyncTaskId} (${summary.kind !== undefined ? `${summary.kind} export, ` : ""}${summary.type}, ${summary.brand}, requested ${summary.requestDate}): ` +
    `${summary.statusKind} [${summary.status}], ${summary.percentage}%` +
    (counts.length > 0 ? ` — ${counts.join(", ")}` : "")
  )
}

/** The next step for an agent, given a task's state. */
export const nextStep = (summary: TaskSummary): string => {
  switch (summary.statusKind) {
    case "completed":
      return summary.downloadReady
        ? `download_export_file with asyncTaskId ${summary.asyncTaskId}.`
        : "the task completed without a download URL; nothing to download."
    case "error":
      return "the export ended in error; check the filter with preview_export, then start_export with force: true to try again."
    default:
      return `get_export_task with asyncTaskId ${summary.asyncTaskId} and waitSeconds 45 to follow it.`
  }
}
