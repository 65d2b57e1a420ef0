/**
 * Consent before a download. A file of an export this server started with the user's consent goes
 * to the export folder as asked; any other completed export the account can see (started with
 * `booster`, by a colleague, by another program or assistant) holds personal data nobody agreed to
 * hand this assistant, so its download needs the user's yes: a question naming the task (and its
 * rows, when known) and saying it was started elsewhere, or the confirmation `get_export_task`
 * handed out for that task. The task's type never waives it: a task typed `stock` may be a stock
 * movements export (whose type is not documented), which holds staff data.
 */

import { ExportKind } from "@booster-export/core"
import * as Journal from "@booster-export/journal/Journal"
import * as Starts from "@booster-export/journal/Starts"
import { Effect } from "effect"
import { typeDoesNotTell } from "../tools/kinds.js"
import { cleanText } from "../tools/result.js"
import type { ElicitForm } from "../tools/tool.js"
import { taskBinding } from "./consent.js"
import type { Ask } from "./obtain.js"

/** The key of the download question in an input-required result, and of its answer on the retried call. */
export const DOWNLOAD_ANSWER_KEY = "downloadExport"

/**
 * This server's start of the task, if it made one with the user's consent (or of a kind that needs
 * none, as its start was of that kind's route): this install's own record of starts (`Starts`,
 * written by the guarded start; never a team database's rows, which any member can write) holds its
 * start made by `booster-mcp` (every such start was consented to, or of a kind without personal
 * data), on the same API host, by the same actor (the caller's OAuth subject, else the OS user
 * running the server). Its `kind` is the kind this server started.
 */
export const ownStart = (
  own: Starts.Service,
  options: { readonly asyncTaskId: string; readonly host: string; readonly actor: string | undefined }
): Effect.Effect<Starts.Entry | undefined> =>
  Effect.map(own.entries, (entries) =>
    entries.find((entry) =>
      Starts.includes([entry], {
        asyncTaskId: options.asyncTaskId,
        source: "mcp",
        host: options.host,
        actor: options.actor ?? Journal.actor()
      })
    )
  )

/** Whether this server started the task with the user's consent (see {@link ownStart}). */
export const startedHere = (
  own: Starts.Service,
  options: { readonly asyncTaskId: string; readonly host: string; readonly actor: string | undefined }
): Effect.Effect<boolean> => Effect.map(ownStart(own, options), (start) => start !== undefined)

/**
 * Whether this server's own start (`start`) of a task of `kind` says its file holds no personal
 * data: it started the task as an export of that kind, a kind without personal data. The task type
 * alone never says so (see `typeDoesNotTell`).
 */
export const startedAsImpersonal = (
  start: Starts.Entry | undefined,
  kind: ExportKind.Any | undefined
): boolean =>
  start !== undefined &&
  kind !== undefined &&
  !kind.personalData.carries &&
  Journal.kindOf(start) === kind.name

/** Why a task of the kind named `kind` needs consent although its kind carries no personal data, if so. */
const whyAsked = (kind: string | undefined): string | undefined =>
  typeDoesNotTell(kind === undefined ? undefined : ExportKind.byName(kind))

/** The task as the question shows it: id, brand, when requested (ISO-8601) and its rows when known. */
export interface Shown {
  readonly asyncTaskId: string
  /** The export kind's name, when known. */
  readonly kind?: string | undefined
  readonly brand: string
  readonly requestDate: string
  readonly totalResults?: number | undefined
}

/** One line naming the task, its brand, when it was requested and its rows when known. */
export const describeTask = (task: Shown): string =>
  `task ${task.asyncTaskId} (brand ${task.brand}, requested ${task.requestDate}` +
  `${task.totalResults !== undefined ? `, ${task.totalResults} rows` : ""})`

/** The form asking the user before downloading an export started elsewhere, without control characters. */
export const downloadForm = (task: Shown): ElicitForm => {
  const why = whyAsked(task.kind)
  return {
    message: cleanText(
      (why !== undefined
        ? `An AI assistant wants to download a ${task.kind} export from Booster to this computer, as its task type says; the file may hold personal data.\n` +
          `${why.charAt(0).toUpperCase()}${why.slice(1)}.\n`
        : task.kind === undefined || task.kind === "customers"
          ? "An AI assistant wants to download a customer export from Booster to this computer; the file holds customers' personal data.\n"
          : `An AI assistant wants to download a ${task.kind} export from Booster to this computer; the file holds personal data.\n`) +
        `Export: ${describeTask(task)}\n` +
        "It was started elsewhere (with booster, by a colleague or by another program), not by this assistant with your consent.\n" +
        "Download it?"
    ),
    requestedSchema: {
      type: "object",
      properties: {
        download: {
          type: "boolean",
          title: "Download this export",
          description:
            "Yes writes the file to the server's export folder and tells the assistant where it is."
        }
      },
      required: ["download"]
    }
  }
}

/** What a download of an export started elsewhere asks the user. */
export const downloadAsk = (task: Shown, host: string, confirmation: string | undefined): Ask => ({
  binding: taskBinding(host, task.asyncTaskId),
  kind: "download",
  form: downloadForm(task),
  field: "download",
  answerKey: DOWNLOAD_ANSWER_KEY,
  confirmation,
  tool: "download_export_file",
  act: "download this export",
  nothing: "nothing was downloaded",
  needs:
    "This export was not started by this server with the user's consent (it was started elsewhere), so downloading it needs their consent" +
    (whyAsked(task.kind) !== undefined ? ` (${whyAsked(task.kind)})` : ""),
  howTo:
    `Next step: call get_export_task with asyncTaskId ${task.asyncTaskId}, tell the user which export it is and that it was started elsewhere, ` +
    "and only if they agree call download_export_file again with confirmation set to its downloadConfirmation.",
  cannotAsk:
    "This server asks the user itself before downloading an export it did not start with their consent (--consent elicit), " +
    "and this client cannot be asked (it does not support elicitation); nothing was downloaded.\n" +
    `Next step: tell the user; they can download it with \`booster tasks download ${task.asyncTaskId}\`, or use a client that supports elicitation.`
})
