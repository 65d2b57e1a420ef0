import { ExportKind, type Fingerprint, Task } from "@booster-export/core"
import { Clock, Duration, Effect, Either, Random, Schema } from "effect"
import type { DryRun, Reconciliation, Started, StartOptions } from "../BoosterClient.js"
import * as BoosterError from "../BoosterError.js"
import * as Retry from "../Retry.js"
import * as Scrub from "../Scrub.js"
import type { Api } from "./api.js"
import * as Http from "./http.js"
import * as Request from "./request.js"

/** Starting exports: validation, the request, retries that cannot duplicate an export, reconciliation. */
export interface Start {
  readonly startExport: (
    kind: ExportKind.Any,
    input: unknown,
    options?: StartOptions
  ) => Effect.Effect<
    Started,
    | BoosterError.ValidationError
    | BoosterError.InvalidConfigError
    | BoosterError.OutcomeUnknownError
    | BoosterError.RequestError
  >
  readonly dryRun: (
    kind: ExportKind.Any,
    input: unknown,
    options?: StartOptions
  ) => Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError>
}

const decodeExportResponse = Schema.decodeUnknownEither(Schema.parseJson(Task.ExportResponse))

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** The task types known to belong to a kind (`crm`, `stock`, `sellout`), lower-cased. */
const KNOWN_TASK_TYPES: ReadonlySet<string> = new Set(
  ExportKind.all.flatMap((kind) => (kind.taskType !== undefined ? [kind.taskType.toLowerCase()] : []))
)

/** True when a task's type says it is not an export of unknown type: another kind's, or an import. */
const isOtherWork = (type: string): boolean => {
  const lower = type.trim().toLowerCase()
  return KNOWN_TASK_TYPES.has(lower) || lower.includes("import")
}

/** `fingerprintKey` gives the key of the fingerprints (loaded once, on first use, when not configured). */
export const make = (
  api: Api,
  fingerprintKey: Effect.Effect<Fingerprint.Key, BoosterError.InvalidConfigError>
): Start => {
  const config = api.config
  const policy = config.retry
  /** Tasks this client started or reconciled: never a candidate for another export. */
  const known = new Set<string>()

  const prepare = (kind: ExportKind.Any, input: unknown, options: StartOptions | undefined) =>
    Request.prepare(config, fingerprintKey, kind, input, options)

  const dryRun = (kind: ExportKind.Any, input: unknown, options?: StartOptions) =>
    Request.dryRun(config, fingerprintKey, kind, input, options)

  /**
   * Tasks that may have been created by an export sent at `sentAt` (see the README): of the brand,
   * created in the window, not started or reconciled by this client nor in `exclude`, and of the
   * kind's task type. When the kind's task type is unknown (movements, invoices, orders), a task of
   * any type is a candidate unless its type says it is something else: another kind's known type
   * (`crm`, `stock`, `sellout`) or an import.
   */
  const reconcile = (kind: ExportKind.Any, brand: string, sentAt: number, exclude: ReadonlySet<string>) =>
    Effect.map(api.listTasks(), (tasks) =>
      tasks
        .filter((task) => {
          if (kind.taskType !== undefined ? !sameText(task.type, kind.taskType) : isOtherWork(task.type))
            return false
          if (!sameText(task.brand, brand)) return false
          const id = Task.canonicalGuid(task.asyncTaskId)
          if (known.has(id) || exclude.has(id)) return false
          const requested = Task.parseApiDate(task.requestDateRaw)
          return requested === undefined || requested.getTime() >= sentAt - config.clockSkewMs
        })
        .map((task) => task.asyncTaskId)
    )

  const startExport: Start["startExport"] = (kind, input, options) =>
    Effect.gen(function* () {
      const { downloadRequestId, prepared } = yield* prepare(kind, input, options)
      const url = Request.apiUrl(config, prepared.path)
      const what = `POST ${kind.path}`
      const brand = (prepared.request as { brand: string }).brand
      const scrub = Scrub.make(
        Scrub.personalValues(kind.request, prepared.request as Readonly<Record<string, unknown>>)
      )
      const firstSentAt = yield* Clock.currentTimeMillis
      const exclude = new Set((options?.exclude ?? []).map(Task.canonicalGuid))
      const started = (asyncTaskId: string, reconciliation?: Reconciliation): Started => {
        known.add(Task.canonicalGuid(asyncTaskId))
        return {
          asyncTaskId,
          downloadRequestId,
          fingerprint: prepared.fingerprint,
          reconciled: reconciliation !== undefined,
          ...(reconciliation !== undefined ? { reconciliation } : {})
        }
      }
      const unknown = (last: Http.AttemptError, candidates: ReadonlyArray<string>, why: string) =>
        new BoosterError.OutcomeUnknownError({
          ...(last.status !== undefined ? { status: last.status } : {}),
          downloadRequestId,
          candidates,
          message: `The export request may have created a task: ${why} (downloadRequestId ${downloadRequestId})`,
          hint:
            candidates.length > 0
              ? `Check tasks ${candidates.join(", ")} before starting the export again.`
              : "List your tasks before starting the export again, to avoid exporting the same data twice."
        })
      for (let attemptNo = 1; ; attemptNo++) {
        const result = yield* Effect.either(api.attempt("POST", url, prepared.body, what, attemptNo, scrub))
        if (Either.isRight(result)) {
          const answer = result.right
          const decoded = decodeExportResponse(answer.text)
          if (Either.isLeft(decoded)) {
            return yield* unknown(
              new Http.AttemptError({
                outcome: "ambiguous",
                status: answer.status,
                error: Http.unreadable(what, answer.status, undefined)
              }),
              [],
              `the API answered HTTP ${answer.status} with a body this client cannot read`
            )
          }
          return started(decoded.right.asyncTaskId)
        }
        const failure = result.left
        const retriesLeft = attemptNo <= policy.maxRetries
        if (failure.outcome === "final") return yield* failure.error
        if (Retry.exceedsCap(policy, { retryable: true, retryAfterMs: failure.retryAfterMs })) {
          return yield* failure.error
        }
        if (failure.outcome === "ambiguous") {
          const listed = yield* Effect.either(reconcile(kind, brand, firstSentAt, exclude))
          if (Either.isLeft(listed)) {
            return yield* unknown(
              failure,
              [],
              `${failure.error.message}, and the task list could not be read`
            )
          }
          const candidates = listed.right
          const typed = kind.taskType !== undefined
          if (candidates.length === 1) {
            return started(candidates[0]!, { by: typed ? "task-type" : "time-window", candidates: 1 })
          }
          if (candidates.length > 0) {
            return yield* unknown(
              failure,
              candidates,
              typed
                ? `${failure.error.message}; several recent tasks match`
                : `${failure.error.message}; ${candidates.length} tasks of this brand were created since it was sent, and which task type ${kind.label} exports create is not known, so none is picked by guess`
            )
          }
          const mayStillRun =
            failure.status === 504 ||
            (failure.error._tag === "TransportError" && failure.error.reason === "timeout")
          if (mayStillRun) {
            return yield* unknown(
              failure,
              [],
              `${failure.error.message}; no matching task is visible yet, but the server may still be processing the request`
            )
          }
        }
        if (!retriesLeft) return yield* failure.error
        const random = yield* Random.next
        const delay = failure.retryAfterMs ?? Retry.jitteredBackoffMs(policy, attemptNo, random)
        yield* Effect.sleep(Duration.millis(delay))
      }
    })

  return { startExport, dryRun }
}
