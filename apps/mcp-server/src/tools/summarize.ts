/**
 * `summarize_export_file`: counts, never values, from a file this install downloaded. The file is
 * found through the install's own record of downloads (`Downloads`: never a path from the assistant,
 * never a row of a team journal) and read only while it is what was downloaded, where it was
 * downloaded (same size and SHA-256, no symbolic link); groups smaller than the minimum group size
 * are withheld.
 */
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { FilterSpec, JsonSchema, Summary, SummaryScanner, Task, Validation } from "@booster-export/core"
import * as Downloads from "@booster-export/journal/Downloads"
import * as Journal from "@booster-export/journal/Journal"
import * as Retention from "@booster-export/journal/Retention"
import { Effect, Either, Schema } from "effect"
import { asyncTaskId, boundedInteger } from "./args.js"
import { render } from "./errors.js"
import { failure, success, type Tool } from "./tool.js"

/** The arguments: a downloaded task's id and the minimum group size. */
export const SummarizeArguments = FilterSpec.make({
  required: { asyncTaskId },
  optional: {
    minimumGroupSize: boundedInteger(
      "minimumGroupSize",
      `Groups with fewer customers than this are withheld (default ${Summary.DEFAULT_MINIMUM_GROUP_SIZE}; a value below ${Summary.MINIMUM_GROUP_SIZE_FLOOR} is raised to ${Summary.MINIMUM_GROUP_SIZE_FLOOR}).`,
      0,
      1_000_000,
      [Summary.DEFAULT_MINIMUM_GROUP_SIZE]
    )
  },
  description: "Which downloaded export to summarise, and the smallest group to report."
})

const Group = Schema.Struct({ value: Schema.String, count: Schema.Number })

/** What the tool returns. */
export const SummaryOutput = Schema.Struct({
  asyncTaskId: Schema.String,
  rows: Schema.Number.annotations({ description: "Customers (data rows) in the file." }),
  minimumGroupSize: Schema.Number.annotations({
    description: "Groups with fewer customers than this were withheld."
  }),
  minimumGroupSizeRaised: Schema.Boolean.annotations({
    description: `True when the size asked for was below ${Summary.MINIMUM_GROUP_SIZE_FLOOR} and was raised.`
  }),
  dimensions: Schema.Array(
    Schema.Struct({
      name: Schema.String.annotations({ description: "e.g. country, status, spendingBand, interest." }),
      column: Schema.String.annotations({ description: "The file's column the counts come from." }),
      label: Schema.String,
      multiValued: Schema.Boolean.annotations({
        description: "True when a customer can be in several groups (interests, hobbies, collections)."
      }),
      groups: Schema.Array(Group).annotations({ description: "Groups shown, largest first." }),
      suppressedGroups: Schema.Number.annotations({
        description: "Groups withheld: too small, or withheld so that a small one cannot be derived."
      })
    })
  ),
  missingColumns: Schema.Array(Schema.String).annotations({
    description: "Columns of a summary dimension that the file does not have."
  })
})

const renderSummary = (
  id: string,
  summary: Summary.Summary,
  raised: boolean,
  asked: number | undefined
): string => {
  const lines = [
    `Export ${id}: ${summary.rows} customers. Counts only; groups of fewer than ${summary.minimumGroupSize} are withheld.`
  ]
  if (raised) {
    lines.push(
      `The minimum group size asked for (${asked}) is below ${Summary.MINIMUM_GROUP_SIZE_FLOOR}: it was raised to ${Summary.MINIMUM_GROUP_SIZE_FLOOR}.`
    )
  }
  for (const dimension of summary.dimensions) {
    const shown = dimension.groups.map((group) => `${group.value} ${group.count}`).join(", ")
    const withheld =
      dimension.suppressedGroups > 0 ? ` (${dimension.suppressedGroups} small groups withheld)` : ""
    lines.push(
      `By ${dimension.label}${dimension.multiValued ? " (a customer may count in several)" : ""}: ${shown || "nothing to show"}${withheld}.`
    )
  }
  if (summary.missingColumns.length > 0) lines.push(`Not in the file: ${summary.missingColumns.join(", ")}.`)
  return lines.join("\n")
}

/** The summary tool: reads a local file only. */
export const summarizeExport: Tool<Downloads.Downloads> = {
  name: "summarize_export_file",
  title: "Summarise a downloaded export",
  description:
    "Counts the customers of an export fetched with download_export_file, never showing their data: in all and " +
    "by country, status, contact consent, creation year, birth month, spending band, point of sale, interest, " +
    "hobby and product collection; groups under minimumGroupSize withheld.",
  inputSchema: JsonSchema.ofFilter(SummarizeArguments),
  outputSchema: JsonSchema.of(SummaryOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const validated = Validation.validate(SummarizeArguments, args)
      if (Either.isLeft(validated)) {
        return render(validated.left, "fix the fields listed above; list_export_tasks shows completed tasks.")
      }
      const id = String(validated.right.asyncTaskId)
      const asked = validated.right.minimumGroupSize as number | undefined
      const { minimumGroupSize, raised } = Summary.effectiveMinimum(asked)
      const own = yield* Downloads.Downloads
      const record = [...Retention.files(yield* own.entries)]
        .reverse()
        .find((file) => Task.canonicalGuid(file.asyncTaskId) === Task.canonicalGuid(id))
      const again = `Next step: download_export_file with asyncTaskId ${id} and overwrite: true, then summarize_export_file again.`
      if (record === undefined) {
        return failure(
          `No file downloaded by this install is recorded for task ${id}.\n` +
            `Next step: download_export_file with asyncTaskId ${id} (once get_export_task says it is completed), then call summarize_export_file again.`
        )
      }
      const path = record.path
      const state = yield* Retention.inspect(record)
      if (state === "deleted") {
        return failure(`The file downloaded for task ${id} was deleted when it expired.\n${again}`)
      }
      if (state === "missing")
        return failure(`The file downloaded for task ${id} is no longer at ${path}.\n${again}`)
      if (state === "changed") {
        return failure(
          `The file at ${path} has changed since it was downloaded (size or SHA-256); it was not read.\n${again}`
        )
      }
      if (state === "redirected") {
        return failure(
          `The path ${path} no longer leads to the file downloaded there (a symbolic link, or a folder that is not the one written into); it was not read.\n${again}`
        )
      }
      if (state === "unverified") {
        return failure(
          `The download of task ${id} was recorded without its size and SHA-256, so the file at ${path} cannot be checked; it was not read.\n${again}`
        )
      }
      const summary = yield* Effect.tryPromise({
        try: async (signal) => {
          // never through a symbolic link put in its place since
          const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
          try {
            return await Summary.summarize(
              handle.createReadStream({ highWaterMark: 1024 * 1024, autoClose: false }),
              { minimumGroupSize, looksPersonal: Journal.looksPersonal },
              signal
            )
          } finally {
            await handle.close()
          }
        },
        catch: (error) => error
      }).pipe(Effect.either)
      if (Either.isLeft(summary)) {
        const error = summary.left
        if (error instanceof SummaryScanner.UnrecognisedFile) {
          return failure(
            `The file of task ${id} cannot be summarised: ${error.message}. Nothing was guessed.\n` +
              "Next step: open the file with a tool meant for personal data; this server only summarises CSV exports with a header line."
          )
        }
        return failure(
          `The file of task ${id} could not be read at ${path}.\nNext step: check the file and try again.`
        )
      }
      return success(renderSummary(id, summary.right, raised, asked), {
        asyncTaskId: record.asyncTaskId,
        rows: summary.right.rows,
        minimumGroupSize,
        minimumGroupSizeRaised: raised,
        dimensions: summary.right.dimensions,
        missingColumns: summary.right.missingColumns
      })
    })
}
