/**
 * `download_export_file`: fetches a finished export into the export directory and returns where it
 * is, its size, SHA-256 and content type — never its contents — with a `resource_link` to the file.
 * An export this server did not start with the user's consent is downloaded only with their yes
 * (see `consent/download.ts`); without it nothing is written.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { mkdir } from "node:fs/promises"
import { basename, extname } from "node:path"
import { pathToFileURL } from "node:url"
import { type ExportKind, FilterSpec, JsonSchema, Task, Validation } from "@booster-export/core"
import * as Downloads from "@booster-export/journal/Downloads"
import type * as Journal from "@booster-export/journal/Journal"
import * as RecordDownload from "@booster-export/journal/RecordDownload"
import * as Starts from "@booster-export/journal/Starts"
import { Effect, Either, Schema } from "effect"
import { Api } from "../booster/api.js"
import type { Consent } from "../consent/consent.js"
import { downloadAsk, ownStart, startedAsImpersonal } from "../consent/download.js"
import { obtain } from "../consent/obtain.js"
import { asyncTaskId, boundedText, flag } from "./args.js"
import { render } from "./errors.js"
import * as Kinds from "./kinds.js"
import { fileIn } from "./paths.js"
import { Settings } from "./settings.js"
import { line, nextStep, summarize } from "./task-summary.js"
import { failure, success, type Tool } from "./tool.js"

/** The arguments: a task id, whether to replace an existing file, and a confirmation. */
export const DownloadArguments = FilterSpec.make({
  required: { asyncTaskId },
  optional: {
    overwrite: flag("overwrite", "Replace a file already downloaded for this task (default false)."),
    confirmation: boundedText(
      "confirmation",
      "get_export_task's downloadConfirmation, once the user agreed.",
      100,
      []
    )
  },
  description: "Which finished export to download."
})

/** What the tool returns. */
export const DownloadOutput = Schema.Struct({
  asyncTaskId: Schema.String,
  kind: Schema.optional(Schema.String).annotations({ description: "The export kind, when known." }),
  path: Schema.String.annotations({ description: "Absolute path of the file written." }),
  bytes: Schema.Number.annotations({ description: "Size in bytes." }),
  sha256: Schema.String.annotations({ description: "SHA-256 of the file, hexadecimal." }),
  contentType: Schema.String.annotations({
    description: "Content type as served (the format is not assumed)."
  }),
  alreadyPresent: Schema.Boolean.annotations({
    description: "True when the file had been downloaded before and was left as it was."
  })
})

const extensionOf = (task: Task.Task): string => {
  const url = task.signedDownloadUrl ?? task.downloadUrl
  if (url === undefined) return ""
  try {
    const ext = extname(new URL(url).pathname)
    return /^\.[A-Za-z0-9]{1,8}$/.test(ext) ? ext.toLowerCase() : ""
  } catch {
    return ""
  }
}

/**
 * What a file of `kind` holds, for people: `Customer export (personal data)`, `Stock export` (when
 * `impersonal`: this server started it as such), `Stock export (may hold personal data)`.
 */
const titleOf = (kind: ExportKind.Any | undefined, impersonal: boolean): string =>
  kind === undefined
    ? "Export (may hold personal data)"
    : `${kind.name === "customers" ? "Customer" : kind.label.charAt(0).toUpperCase() + kind.label.slice(1)} export${kind.personalData.carries ? " (personal data)" : impersonal ? "" : " (may hold personal data)"}`

/**
 * A `resource_link` to a downloaded file of `kind` (when known), with its size and content type: a
 * client can show or open it. `impersonal`: this server started it as a kind without personal data.
 */
export const linkTo = (
  path: string,
  bytes: number,
  contentType: string,
  kind: ExportKind.Any | undefined,
  impersonal = false
) => ({
  type: "resource_link" as const,
  uri: pathToFileURL(path).href,
  name: basename(path),
  title: titleOf(kind, impersonal),
  mimeType: contentType,
  size: bytes
})

/**
 * The file name of a task's export of `kind`: `<kind>-export-<brand>-<task id><ext>`
 * (`customer-export-…` for customers, `stock-export-…`, `sell-out-export-…`), `export-…` when the
 * kind is not known.
 */
export const fileNameOf = (task: Task.Task, kind: ExportKind.Any | undefined): string =>
  `${kind === undefined ? "" : kind.name === "customers" ? "customer-" : `${kind.name}-`}export-${task.brand.replace(/[^A-Za-z0-9_-]/g, "_")}-${Task.canonicalGuid(task.asyncTaskId)}${extensionOf(task)}`

const hashFile = (path: string) =>
  Effect.async<{ bytes: number; sha256: string }, Error>((resume) => {
    const hash = createHash("sha256")
    let bytes = 0
    createReadStream(path)
      .on("data", (chunk: Buffer | string) => {
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk
        bytes += buffer.length
        hash.update(buffer)
      })
      .on("error", (error) => resume(Effect.fail(error)))
      .on("end", () => resume(Effect.succeed({ bytes, sha256: hash.digest("hex") })))
  })

/** The download tool. */
export const download: Tool<
  Api | Journal.Journal | Downloads.Downloads | Starts.Starts | Settings | Consent
> = {
  name: "download_export_file",
  title: "Download an export file",
  description:
    "Downloads a completed export's file into the export folder; returns its path, size, SHA-256 and " +
    "content type, never its contents. An export started elsewhere needs the user's consent, a stock-typed one too.",
  inputSchema: JsonSchema.ofFilter(DownloadArguments),
  outputSchema: JsonSchema.of(DownloadOutput),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  call: (args, context) =>
    Effect.gen(function* () {
      const validated = Validation.validate(DownloadArguments, args)
      if (Either.isLeft(validated)) {
        return render(validated.left, "fix the fields listed above; list_export_tasks shows completed tasks.")
      }
      const id = String(validated.right.asyncTaskId)
      const overwrite = validated.right.overwrite === true
      const confirmation =
        typeof validated.right.confirmation === "string" ? validated.right.confirmation : undefined
      const api = yield* Api
      const settings = yield* Settings
      const own = yield* Downloads.Downloads
      const starts = yield* Starts.Starts
      return yield* Effect.gen(function* () {
        const { client, host } = yield* api.connection
        const task = yield* client.getTask(id)
        const kind = (yield* Kinds.kindsOfTasks)(task)
        const summary = summarize(task, kind)
        if (summary.statusKind !== "completed") {
          return failure(`The export is not finished: ${line(summary)}.\nNext step: ${nextStep(summary)}`)
        }
        // only this install's own record of starts waives consent, never the task type: a task typed
        // stock may be a movements export, whose task type is not documented
        const start = yield* ownStart(starts, { asyncTaskId: task.asyncTaskId, host, actor: context.actor })
        const impersonal = startedAsImpersonal(start, kind)
        if (start === undefined) {
          const refused = yield* obtain(downloadAsk(summary, host, confirmation), context)
          if (refused !== undefined) return refused
        }
        yield* Effect.promise(() => mkdir(settings.exportDir, { recursive: true, mode: 0o700 }))
        const destination = fileIn(settings.exportDir, fileNameOf(task, kind))
        if (destination === undefined) {
          return failure(
            "The export's file name is not a plain file name, so nothing was written.\n" +
              "Next step: report the task id to the API's administrators."
          )
        }
        const result = yield* client.download(task, destination, { overwrite }).pipe(Effect.either)
        if (Either.isLeft(result)) {
          const error = result.left
          if (error._tag !== "DownloadError" || error.reason !== "exists") return render(error)
          // only this install's own record says which file it downloaded there
          const known = [...(yield* own.entries)]
            .reverse()
            .find(
              (entry) =>
                entry.event === "downloaded" && entry.file === destination && entry.sha256 !== undefined
            )
          const present = yield* hashFile(destination).pipe(Effect.option)
          if (known !== undefined && present._tag === "Some" && present.value.sha256 === known.sha256) {
            return success(
              `Already downloaded: ${destination} (${present.value.bytes} bytes, sha256 ${present.value.sha256}).\n` +
                `Next step: open the file${impersonal ? "" : " with a tool meant for personal data"}; pass overwrite: true to fetch it again.`,
              {
                asyncTaskId: task.asyncTaskId,
                ...(kind !== undefined ? { kind: kind.name } : {}),
                path: destination,
                bytes: present.value.bytes,
                sha256: present.value.sha256,
                contentType: known.contentType ?? "application/octet-stream",
                alreadyPresent: true
              },
              [
                linkTo(
                  destination,
                  present.value.bytes,
                  known.contentType ?? "application/octet-stream",
                  kind,
                  impersonal
                )
              ]
            )
          }
          return failure(
            `A different file already exists at ${destination}; it was left untouched.\n` +
              "Next step: call download_export_file again with overwrite: true to replace it."
          )
        }
        const file = result.right
        const recorded = yield* RecordDownload.record({
          source: "mcp",
          asyncTaskId: task.asyncTaskId,
          host,
          brand: task.brand,
          kind: kind?.name,
          file,
          retentionDays: settings.retentionDays
        }).pipe(Effect.either)
        return success(
          `Downloaded ${file.path} (${file.bytes} bytes, ${file.contentType}, sha256 ${file.sha256}).\n` +
            (Either.isLeft(recorded)
              ? `Warning: the download was not recorded (${recorded.left.message}); retention will not delete this file.\n`
              : "") +
            (impersonal && kind !== undefined
              ? `The file is a ${kind.name} export. Personal data: ${kind.personalData.what}`
              : Kinds.typeDoesNotTell(kind) !== undefined
                ? `The file is a ${kind?.name} export by its task type, and may hold personal data: ${Kinds.typeDoesNotTell(kind)}. Keep it in the export directory and share it only as your policy allows.`
                : "The file contains personal data: keep it in the export directory and share it only as your policy allows."),
          {
            asyncTaskId: task.asyncTaskId,
            ...(kind !== undefined ? { kind: kind.name } : {}),
            path: file.path,
            bytes: file.bytes,
            sha256: file.sha256,
            contentType: file.contentType,
            alreadyPresent: false
          },
          [linkTo(file.path, file.bytes, file.contentType, kind, impersonal)]
        )
      }).pipe(Effect.catchAll((error) => Effect.succeed(render(error))))
    })
}
