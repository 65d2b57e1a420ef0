/**
 * `summarize_export_file`: approximate counts, never values, from a file this install downloaded. The
 * file is found through the install's own record of downloads (`Downloads`: never a path from the
 * assistant, never a row of a team journal) and read only while it is what was downloaded, where it
 * was downloaded (same size and SHA-256, no symbolic link). The exact counts are read first; the
 * answer is core's differentially private release of them (`PrivateSummary`), charged to the privacy
 * budget (`PrivacyBudget`) before it is given: once the day's budget is spent, summaries are refused
 * until it returns. Only customer exports are summarised: for a file of another kind (as this install's
 * record of downloads says), the answer says plainly that no summary is offered.
 */
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import {
  ExportKind,
  Field,
  FilterSpec,
  JsonSchema,
  PrivateSummary,
  Summary,
  SummaryScanner,
  Task,
  Validation
} from "@booster-export/core"
import * as Downloads from "@booster-export/journal/Downloads"
import * as Journal from "@booster-export/journal/Journal"
import * as PrivacyBudget from "@booster-export/journal/PrivacyBudget"
import * as Retention from "@booster-export/journal/Retention"
import { Effect, Either, Schema } from "effect"
import { asyncTaskId, boundedInteger, oneOf } from "./args.js"
import { render } from "./errors.js"
import { Settings } from "./settings.js"
import { failure, success, type Tool } from "./tool.js"

/** The arguments: a downloaded task's id, the minimum group size and the dimensions wanted. */
export const SummarizeArguments = FilterSpec.make({
  required: { asyncTaskId },
  optional: {
    minimumGroupSize: boundedInteger(
      "minimumGroupSize",
      `Smallest group shown (default ${Summary.DEFAULT_MINIMUM_GROUP_SIZE}, minimum ${Summary.MINIMUM_GROUP_SIZE_FLOOR}).`,
      0,
      1_000_000,
      []
    ),
    dimensions: Field.list(
      "dimensions",
      oneOf(
        "A breakdown.",
        SummaryScanner.DIMENSIONS.map((dimension) => dimension.name)
      ),
      { description: "Fewer breakdowns, less noise (default all)." },
      { required: true }
    )
  },
  description: "Which downloaded export to summarise, the smallest group to report and the breakdowns wanted."
})

const Group = Schema.Struct({
  value: Schema.String,
  within: Schema.optional(Schema.String).annotations({
    description: "For a point of sale: the country its customers counted here live in."
  }),
  count: Schema.Number.annotations({
    description: "Approximate: the true count plus noise (within ± margin, 95 %)."
  }),
  low: Schema.Number.annotations({ description: "The 95 % interval of the true count: from low …" }),
  high: Schema.Number.annotations({ description: "… to high." })
})

/** What the tool returns. */
export const SummaryOutput = Schema.Struct({
  asyncTaskId: Schema.String,
  rows: Schema.Number.annotations({
    description: "Customers (data rows) in the file, approximate (within ± margin, 95 %)."
  }),
  epsilon: Schema.Number.annotations({
    description: "The privacy parameter ε of this summary (differential privacy, per customer)."
  }),
  margin: Schema.Number.annotations({
    description: "Every count is within ± margin of the true count with 95 % probability."
  }),
  minimumGroupSize: Schema.Number.annotations({
    description: "Groups with fewer customers than this were withheld."
  }),
  minimumGroupSizeRaised: Schema.Boolean.annotations({
    description: `True when the size asked for was below ${Summary.MINIMUM_GROUP_SIZE_FLOOR} and was raised.`
  }),
  dimensions: Schema.Array(
    Schema.Struct({
      name: Schema.String.annotations({ description: "e.g. country, status, spendingBand, interest." }),
      multiValued: Schema.Boolean.annotations({
        description: "True when a customer can be in several groups (interests, hobbies, collections)."
      }),
      groups: Schema.Array(Group).annotations({ description: "Groups shown, largest first." }),
      shownAtLeast: Schema.Number.annotations({
        description:
          "Groups are shown from this approximate count; smaller groups, and groups withheld so that no small one follows from the others, are not listed."
      })
    })
  ),
  missingColumns: Schema.Array(Schema.String).annotations({
    description: "Columns of a summary dimension that the file does not have."
  })
})

/** A time for people: `2026-03-02 08:00 UTC (in 23 h 59 min)`. */
const when = (at: number, now: number): string => {
  const minutes = Math.max(1, Math.ceil((at - now) / 60_000))
  const wait = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC (in ${wait})`
}

const renderSummary = (
  id: string,
  summary: PrivateSummary.PrivateSummary,
  budget: { readonly spent: number; readonly remaining: number; readonly perDay: number },
  raised: boolean,
  asked: number | undefined
): string => {
  const lines = [
    `Export ${id}: about ${summary.rows} customers (95 % interval ${summary.rowsLow} to ${summary.rowsHigh}).`,
    `All counts are approximate: each carries random noise so that no single customer can be made out, even by comparing summaries (differential privacy, ε = ${summary.epsilon} for this summary); each is within ±${summary.margin} of the true count with 95 % probability. Groups of fewer than ${summary.minimumGroupSize} are withheld, and so is a group that would let a withheld one be worked out.`
  ]
  if (raised) {
    lines.push(
      `The minimum group size asked for (${asked}) is below ${Summary.MINIMUM_GROUP_SIZE_FLOOR}: it was raised to ${Summary.MINIMUM_GROUP_SIZE_FLOOR}.`
    )
  }
  for (const dimension of summary.dimensions) {
    const shown = dimension.groups
      .map(
        (group) => `${group.value}${group.within !== undefined ? ` (${group.within})` : ""} ${group.count}`
      )
      .join(", ")
    const label = `${dimension.label}${dimension.name === "pointOfSale" && dimension.groups.some((g) => g.within !== undefined) ? " within country" : ""}`
    const counts = dimension.multiValued
      ? ` (a customer counts in up to ${summary.maxValuesPerRow} of them)`
      : ""
    lines.push(
      dimension.tooManyValues
        ? `By ${label}: not shown, the column has too many different values.`
        : `By ${label}${counts}: ${shown || "no group large enough to show"} (groups shown from ${dimension.shownAtLeast}).`
    )
  }
  if (summary.missingColumns.length > 0) lines.push(`Not in the file: ${summary.missingColumns.join(", ")}.`)
  if (summary.dimensions.some((dimension) => dimension.groups.length === 0)) {
    lines.push("Fewer breakdowns (the dimensions argument) carry less noise and show smaller groups.")
  }
  lines.push(
    `Privacy budget: ${budget.spent} of ${budget.perDay} (ε) spent in the last 24 hours; ${budget.remaining} left. Asking again costs budget and does not make the counts exact.`
  )
  return lines.join("\n")
}

/** The summary tool: reads a local file only. */
export const summarizeExport: Tool<Downloads.Downloads | PrivacyBudget.PrivacyBudget | Settings> = {
  name: "summarize_export_file",
  title: "Summarise a downloaded export",
  description:
    "Approximate counts of a downloaded customer export's customers, never their data; no summary is offered for " +
    "the other kinds. Each call spends privacy budget.",
  inputSchema: JsonSchema.ofFilter(SummarizeArguments),
  outputSchema: JsonSchema.of(SummaryOutput),
  // not idempotent: every call draws fresh noise and spends privacy budget
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const validated = Validation.validate(SummarizeArguments, args)
      if (Either.isLeft(validated)) {
        return render(validated.left, "fix the fields listed above; list_export_tasks shows completed tasks.")
      }
      const id = String(validated.right.asyncTaskId)
      const asked = validated.right.minimumGroupSize as number | undefined
      const dimensions = validated.right.dimensions as ReadonlyArray<string> | undefined
      const { minimumGroupSize, raised } = Summary.effectiveMinimum(asked)
      const settings = (yield* Settings).summary
      const own = yield* Downloads.Downloads
      const lines = yield* own.entries
      const record = [...Retention.files(lines)]
        .reverse()
        .find((file) => Task.canonicalGuid(file.asyncTaskId) === Task.canonicalGuid(id))
      const again = `Next step: download_export_file with asyncTaskId ${id} and overwrite: true, then summarize_export_file again.`
      if (record === undefined) {
        return failure(
          `No file downloaded by this install is recorded for task ${id}.\n` +
            `Next step: download_export_file with asyncTaskId ${id} (once get_export_task says it is completed), then call summarize_export_file again.`
        )
      }
      // the kind the download recorded (absent: a customer export, or one of an older version)
      const recorded = [...lines]
        .reverse()
        .find(
          (line) =>
            line.event === "downloaded" &&
            line.file === record.path &&
            line.asyncTaskId === record.asyncTaskId
        )?.kind
      const kind = recorded === undefined ? undefined : ExportKind.byName(recorded)
      if (kind !== undefined && kind !== ExportKind.Customer) {
        return failure(
          `No summary is offered for ${kind.name} exports: summaries count the customers of a customer export only, and the columns of a ${kind.name} file are not documented by the API. Nothing was read and no privacy budget was spent.\n` +
            "Next step: tell the user the file's path (from download_export_file); open it with a tool suited to its data."
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
      // exact counts first, in one pass over the file; what is released of them is decided after
      const counts = yield* Effect.tryPromise({
        try: async (signal) => {
          // never through a symbolic link put in its place since
          const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
          try {
            return await SummaryScanner.scan(
              handle.createReadStream({ highWaterMark: 1024 * 1024, autoClose: false }),
              { maxValuesPerRow: settings.maxListValues },
              signal
            )
          } finally {
            await handle.close()
          }
        },
        catch: (error) => error
      }).pipe(Effect.either)
      if (Either.isLeft(counts)) {
        const error = counts.left
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
      // the summary's privacy cost is recorded before anything of it is released
      const budget = yield* PrivacyBudget.PrivacyBudget
      const charged = yield* Effect.either(
        budget.spend({
          epsilon: settings.epsilon,
          perDay: settings.epsilonPerDay,
          asyncTaskId: record.asyncTaskId
        })
      )
      if (Either.isLeft(charged)) {
        return failure(
          `No summary was given: ${charged.left.message}. A summary is released only once its privacy cost is recorded.\n` +
            `Next step: tell the user the privacy budget at ${budget.location} cannot be read or written.`
        )
      }
      const outcome = charged.right
      if (outcome._tag === "Refused") {
        const now = Date.now()
        return failure(
          `No summary was given: the privacy budget of summaries is spent (${outcome.spent} of ${outcome.perDay} (ε) in the last 24 hours; a summary costs ${settings.epsilon}). ` +
            "The budget keeps repeated or overlapping summaries from adding up to one customer's data.\n" +
            (outcome.availableAt !== undefined
              ? `Next step: enough budget returns at ${when(outcome.availableAt, now)}; summarise then, or use the summaries already given.`
              : "Next step: the server's settings allow no summary (a summary costs more than a day's budget); tell the user.")
        )
      }
      const summary = PrivateSummary.release(counts.right, {
        epsilon: settings.epsilon,
        minimumGroupSize,
        ...(dimensions !== undefined ? { dimensions } : {}),
        looksPersonal: Journal.looksPersonal
      })
      const spent = { spent: outcome.spent, remaining: outcome.remaining, perDay: outcome.perDay }
      // a download recorded without its kind: an older version's (customers only), or a task whose
      // kind was not known; read as a customer export, and said so
      const unlabelled =
        recorded === undefined
          ? "\nThe download did not record which kind of export it is (an older version's download, or a task whose kind was not known): it was read as a customer export."
          : ""
      return success(`${renderSummary(id, summary, spent, raised, asked)}${unlabelled}`, {
        asyncTaskId: record.asyncTaskId,
        rows: summary.rows,
        epsilon: summary.epsilon,
        margin: summary.margin,
        minimumGroupSize,
        minimumGroupSizeRaised: raised,
        dimensions: summary.dimensions.map(({ name, multiValued, groups, shownAtLeast }) => ({
          name,
          multiValued,
          groups: groups.map(({ value, within, count, low, high }) => ({
            value,
            ...(within !== undefined ? { within } : {}),
            count,
            low,
            high
          })),
          shownAtLeast
        })),
        missingColumns: summary.missingColumns
      })
    })
}
