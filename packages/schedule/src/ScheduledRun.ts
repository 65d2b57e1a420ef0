/**
 * One run of a schedule, in two steps the engine records one by one (its activities):
 *
 * 1. {@link exportFile}: resolve the filter against the **due time**, start the export through the
 *    shared guarded start (`GuardedStart.run`, `downloadRequestId` derived from the schedule and the
 *    due time: a step re-run after a crash follows the task its first attempt started instead of
 *    starting another), follow the task and download its file into a private work folder;
 * 2. {@link deliver}: hand the file to the destination (create-only, verified), record the
 *    `delivered` audit event and remove the work file.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { ExportKind, type Fingerprint, Task } from "@booster-export/core"
import { type Downloads, GuardedStart, Journal, RecordDownload } from "@booster-export/journal"
import type { BoosterClient, BoosterError } from "@booster-export/transport"
import * as Scrub from "@booster-export/transport/Scrub"
import { Context, Effect, Either, Schema, Stream } from "effect"
import * as Destination from "./Destination.js"
import * as ExportSchedule from "./ExportSchedule.js"

/**
 * What a run needs of the install: the API client, the fingerprint key, the API host (as the journal
 * records it) and a private work folder (mode `0700`) where files wait for delivery.
 *
 * @since 0.1.0
 */
export interface Settings {
  readonly client: BoosterClient.Service
  readonly fingerprintKey: Fingerprint.Key
  readonly host: string | undefined
  readonly workDir: string
  /** How long the task may take before the attempt fails, in milliseconds; default the client's. */
  readonly timeoutMs?: number | undefined
}

/**
 * The run's settings service.
 *
 * @since 0.1.0
 */
export class RunSettings extends Context.Tag("@booster-export/schedule/RunSettings")<
  RunSettings,
  Settings
>() {}

/**
 * A run's attempt failed: `reason` says why in words fit for `booster schedule runs` (no personal
 * value).
 *
 * @since 0.1.0
 */
export class RunError extends Schema.TaggedError<RunError>()("RunError", { reason: Schema.String }) {}

/**
 * The file an export step produced.
 *
 * @since 0.1.0
 */
export interface Exported {
  readonly asyncTaskId: string
  readonly path: string
  readonly bytes: number
  readonly sha256: string
  readonly rows: number | undefined
}

/**
 * Starts an export of any kind with the client: the one place a run names the client's start.
 *
 * @since 0.1.0
 */
export const startExport = (
  client: BoosterClient.Service,
  kind: ExportKind.Any,
  filter: Readonly<Record<string, unknown>>,
  downloadRequestId: string
): Effect.Effect<BoosterClient.Started, BoosterError.BoosterError> =>
  client.startExport(kind, filter, { downloadRequestId })

/** The error's message, cleaned of control characters and of the filter's personal values. */
const reasonOf = (error: unknown, personal: ReadonlyArray<string>): string => {
  const message =
    typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
      ? error.message
      : "the run failed"
  return Scrub.excerpt(message, Scrub.make(personal))
}

const personalOf = (kind: ExportKind.Any, filter: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Scrub.personalFields(kind.filter).flatMap((field) => {
    const value = filter[field]
    return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]
  })

/**
 * The work file of a run: `{workDir}/{schedule id}/{due}/{kind}.csv`.
 *
 * @since 0.1.0
 */
export const workFile = (
  settings: Pick<Settings, "workDir">,
  schedule: ExportSchedule.ExportSchedule,
  due: Date
): string =>
  join(settings.workDir, schedule.id, ExportSchedule.dueKey(due).replace(/:/g, "-"), `${schedule.kind}.csv`)

/** How far a task's request date may precede the journal's `requested` record (clock skew): 1 minute. */
const SKEW_MS = 60_000

const sameText = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase()

/**
 * What an earlier attempt of this run started, found in the journal by the run's `downloadRequestId`:
 * its `started` record, followed again. When the journal holds the run's `requested` record and no
 * `started` one (the process died between the request and the record), the API's tasks of the kind
 * and brand requested since, that no journal entry claims, are the candidates. One: it is this run's
 * task (recorded as started, then followed). None: the request never created a task, and the run
 * starts. Several: the run fails rather than guess.
 */
const earlierAttempt = (
  settings: Settings,
  kind: ExportKind.Any,
  filter: Readonly<Record<string, unknown>>,
  fingerprint: string,
  downloadRequestId: string,
  due: Date
): Effect.Effect<
  GuardedStart.Reused | undefined,
  Journal.JournalError | BoosterError.BoosterError | RunError,
  Journal.Journal
> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const entries = yield* journal.entriesSince(due.getTime() - SKEW_MS)
    const own = entries.filter((entry) => entry.downloadRequestId === downloadRequestId)
    const started = [...own].reverse().find(Journal.isStart)
    if (started !== undefined) return { _tag: "Reused", entry: started, task: undefined, meanwhile: false }
    const requested = own.find((entry) => entry.event === "requested")
    if (requested === undefined) return undefined
    const claimed = new Set(
      entries.filter(Journal.isStart).map((entry) => Task.canonicalGuid(entry.asyncTaskId))
    )
    const since = new Date(requested.at).getTime() - SKEW_MS
    const brand = typeof filter.brand === "string" ? filter.brand : undefined
    const candidates = (yield* settings.client.listTasks()).filter((task) => {
      if (kind.taskType !== undefined && !sameText(task.type, kind.taskType)) return false
      if (brand !== undefined && !sameText(task.brand, brand)) return false
      if (claimed.has(Task.canonicalGuid(task.asyncTaskId))) return false
      // the task's time is ISO-8601 when the client could read it
      const at = task.requestDate !== undefined ? new Date(task.requestDate) : undefined
      return at === undefined || at.getTime() >= since
    })
    if (candidates.length === 0) return undefined
    if (candidates.length > 1) {
      return yield* new RunError({
        reason: `an earlier attempt's start may have created one of ${candidates.length} tasks; none is followed, to export nobody twice (see \`booster tasks list\`)`
      })
    }
    const task = candidates[0]!
    const entry = {
      source: "schedule",
      event: "started",
      kind: kind.name,
      fingerprint,
      downloadRequestId,
      host: settings.host,
      asyncTaskId: task.asyncTaskId,
      ...(brand !== undefined ? { brand } : {}),
      description: kind.describe(filter)
    } as const
    yield* journal.append(entry)
    return { _tag: "Reused", entry: { ...entry, at: new Date().toISOString() }, task, meanwhile: false }
  })

/**
 * Step 1 of a run: the export of the schedule's filter as of `due`, downloaded to the work file.
 *
 * @since 0.1.0
 */
export const exportFile = (
  schedule: ExportSchedule.ExportSchedule,
  due: Date
): Effect.Effect<Exported, RunError, RunSettings | Journal.Journal> =>
  Effect.gen(function* () {
    const settings = yield* RunSettings
    const kind = ExportSchedule.kindOf(schedule)
    if (kind === undefined)
      return yield* new RunError({ reason: `the export kind ${schedule.kind} is not known` })
    const resolved = ExportSchedule.resolveAt(schedule, due)
    if (Either.isLeft(resolved)) {
      return yield* new RunError({
        reason: `the filter is not valid as of the due time: ${resolved.left.map((issue) => `${issue.path || "filter"}: ${issue.message}`).join("; ")}`
      })
    }
    const filter = resolved.right
    const personal = personalOf(kind, filter)
    const fail = (error: unknown) => new RunError({ reason: reasonOf(error, personal) })
    const { client } = settings
    const downloadRequestId = ExportSchedule.downloadRequestIdOf(schedule, due)
    const fingerprint = ExportKind.fingerprint(kind, settings.fingerprintKey, filter)
    const found = yield* earlierAttempt(settings, kind, filter, fingerprint, downloadRequestId, due).pipe(
      Effect.mapError(fail)
    )
    const outcome: GuardedStart.Outcome<{ asyncTaskId: string }> =
      found !== undefined
        ? found
        : yield* GuardedStart.run({
            source: "schedule",
            kind: kind.name,
            fingerprint,
            host: settings.host,
            downloadRequestId,
            brand: typeof filter.brand === "string" ? filter.brand : undefined,
            description: kind.describe(filter),
            purpose: schedule.purpose,
            start: (id) => startExport(client, kind, filter, id),
            // a run's repeat is found by its own downloadRequestId (above), not by its filter: the
            // same filter due on another day, or exported by a person, is another export, meant so
            duplicateWindowMs: 0,
            onDuplicate: "refuse",
            onUnwritableJournal: "refuse"
          }).pipe(Effect.mapError(fail))
    if (outcome._tag === "Refused") return yield* new RunError({ reason: "the start was refused" })
    const asyncTaskId = outcome._tag === "Started" ? outcome.started.asyncTaskId : outcome.entry.asyncTaskId
    let last: BoosterClient.Progress | undefined
    yield* Stream.runForEach(
      client.followTask(
        asyncTaskId,
        settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}
      ),
      (progress) =>
        Effect.sync(() => {
          last = progress
        })
    ).pipe(Effect.mapError(fail))
    const path = workFile(settings, schedule, due)
    yield* Effect.tryPromise({
      try: () => fs.mkdir(join(path, ".."), { recursive: true, mode: 0o700 }),
      catch: () => new RunError({ reason: "the work folder cannot be created" })
    })
    const downloaded = yield* client
      .download(last?.task ?? asyncTaskId, path, { overwrite: true })
      .pipe(Effect.mapError(fail))
    return {
      asyncTaskId,
      path: downloaded.path,
      bytes: downloaded.bytes,
      sha256: downloaded.sha256,
      rows: last?.totalResults ?? last?.totalSucceeded
    }
  })

/**
 * Step 2 of a run: the work file delivered under `ExportSchedule.fileName` (create-only, verified),
 * the `delivered` audit event written, a file delivered to a local folder recorded for retention
 * when the schedule has a retention, the work file removed.
 *
 * @since 0.1.0
 */
export const deliver = (
  schedule: ExportSchedule.ExportSchedule,
  due: Date,
  exported: Exported
): Effect.Effect<
  Destination.Delivered,
  RunError,
  Destination.Destinations | Journal.Journal | Downloads.Downloads | RunSettings
> =>
  Effect.gen(function* () {
    const destinations = yield* Destination.Destinations
    const fail = (error: unknown) => new RunError({ reason: reasonOf(error, []) })
    const destination = yield* destinations.open(schedule.destination).pipe(Effect.mapError(fail))
    const delivered = yield* destination
      .deliver(ExportSchedule.fileName(schedule, due), exported)
      .pipe(Effect.mapError(fail))
    yield* audit("delivered", schedule, due, {
      asyncTaskId: exported.asyncTaskId,
      file: delivered.location,
      bytes: delivered.bytes,
      sha256: delivered.sha256
    })
    // a file delivered to a local folder is kept as long as the schedule says, then deleted by
    // retention (`booster files purge`) like any download of this install
    if (schedule.retentionDays !== undefined && delivered.location.startsWith("file:")) {
      const settings = yield* RunSettings
      yield* RecordDownload.record({
        source: "schedule",
        asyncTaskId: exported.asyncTaskId,
        host: settings.host,
        file: {
          path: fileURLToPath(delivered.location),
          bytes: delivered.bytes,
          sha256: delivered.sha256,
          contentType: "text/csv"
        },
        retentionDays: schedule.retentionDays
      }).pipe(
        Effect.mapError(
          () => new RunError({ reason: "the delivered file could not be recorded for retention" })
        )
      )
    }
    yield* Effect.promise(() => fs.rm(exported.path, { force: true }))
    return delivered
  })

/**
 * Writes an audit event of a run to the journal (`scheduled-run`, `delivered`): the schedule's
 * kind, the run's `downloadRequestId`, the schedule's name as purpose when it has none; a journal
 * that cannot be written fails the step (a delivery that cannot be audited is retried).
 *
 * @since 0.1.0
 */
export const audit = (
  event: "scheduled-run" | "delivered",
  schedule: ExportSchedule.ExportSchedule,
  due: Date,
  extra: Partial<Journal.NewEntry> & { readonly status?: string }
): Effect.Effect<void, RunError, Journal.Journal> =>
  Effect.flatMap(Journal.Journal, (journal) =>
    journal
      .append({
        asyncTaskId: "",
        ...extra,
        source: "schedule",
        event,
        kind: schedule.kind,
        downloadRequestId: ExportSchedule.downloadRequestIdOf(schedule, due),
        purpose: schedule.purpose ?? `schedule ${schedule.name} at ${ExportSchedule.dueKey(due)}`
      })
      .pipe(Effect.mapError(() => new RunError({ reason: "the journal cannot be written" })))
  )
