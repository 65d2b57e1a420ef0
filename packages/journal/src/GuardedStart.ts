/**
 * The guarded start of an export, the one way `booster`, `booster-mcp` and programs start an export
 * without exporting the same people twice by accident:
 *
 * 1. look in the journal for a recent start of the same filter (same fingerprint, export kind and API
 *    host) — one whose task ended in error does not count (by default);
 * 2. if there is one, refuse, reuse it, or ask (`onDuplicate`);
 * 3. otherwise confirm (`confirm`: a prompt, a consent), take the journal's start lock, look again
 *    (another process may have started it meanwhile), record `requested`, start, record `started` —
 *    in the journal and, when the context holds it, in this install's own record of starts
 *    (`Starts`), the only proof a front end takes that this install started a task — except for a
 *    task found afterwards when the start's answer was lost (`reconciled`): it may be someone
 *    else's, so it is recorded in the journal only, marked `reconciled`.
 *
 * The policies are parameters, so that each front end states its own: the duplicate window, what an
 * earlier failed task means, what a journal that cannot be written means, what to do with a
 * duplicate, `force`. The outcome is a tagged value each front end renders in its own words.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { ExportKind, Task } from "@booster-export/core"
import { Clock, Effect, Either } from "effect"
import * as Journal from "./Journal.js"
import * as Purpose from "./Purpose.js"
import * as Starts from "./Starts.js"

/**
 * What an earlier start of the same filter, within the window, whose task ended in error (`ERR`)
 * means: `"retry"` (it does not block a new start: a task that ended in error exported nobody) or
 * `"block"` (it is a duplicate like any other).
 *
 * @since 0.1.0
 */
export type EarlierFailed = "retry" | "block"

/**
 * What to do when the journal cannot be written (the local file's disk is full, its folder read-only,
 * no lock can be created there): `"refuse"` (fail with the `JournalError`, nothing is sent) or
 * `"send-unguarded"` (start without the duplicate check and the lock, the outcome saying why). A
 * journal without a `path` in its error (a team database) is always refused: it fails closed.
 *
 * @since 0.1.0
 */
export type OnUnwritableJournal = "refuse" | "send-unguarded"

/**
 * What to do with a recent start of the same filter found before starting: `"refuse"`, `"reuse"`
 * (return it instead of starting), or a function deciding for each (e.g. by asking a person): it may
 * also answer `"start"` (start anew anyway), or fail to stop. Found only under the lock (another
 * process started it while this one was getting ready), it is reused with `"reuse"` and refused
 * otherwise: nobody is asked while the lock is held.
 *
 * @since 0.1.0
 */
export type OnDuplicate<E, R> =
  | "refuse"
  | "reuse"
  | ((earlier: Earlier) => Effect.Effect<"refuse" | "reuse" | "start", E, R>)

/**
 * A recent start of the same filter: its journal entry, and its task as the API reported it when it
 * was asked (`undefined` when it was not asked or does not know the task).
 *
 * @since 0.1.0
 */
export interface Earlier {
  readonly entry: Journal.Entry
  readonly task: Task.Task | undefined
}

/**
 * What a start function answers: at least the task it created.
 *
 * @since 0.1.0
 */
export interface Created {
  readonly asyncTaskId: string
  /**
   * True when the start's answer was lost and the task was found afterwards in the task list: it
   * may be another's export, so it is recorded as such (`reconciled` in the journal) and never in
   * this install's own record of starts.
   */
  readonly reconciled?: boolean | undefined
}

/**
 * The export, recorded members of a guarded start.
 *
 * @since 0.1.0
 */
export interface Request<S extends Created, E, R> {
  /** Which front end starts it (`"cli"`, `"mcp"`, `"library"`, …). */
  readonly source: Journal.Source
  /** The export kind's name (`ExportKind`'s `name`); default `"customers"`. */
  readonly kind?: string | undefined
  /** The keyed fingerprint of the normalised filter. */
  readonly fingerprint: string
  /** The API host (`Journal.hostOf(baseUrl)`). */
  readonly host: string | undefined
  /** Who starts it (an authenticated subject), recorded; default the journal's (`Journal.actor()`). */
  readonly actor?: string | undefined
  /** The id sent with the request; default a new UUID. */
  readonly downloadRequestId?: string | undefined
  /** The brand, recorded. */
  readonly brand?: string | undefined
  /** Who is exported in plain English (core's description, never a personal value), recorded. */
  readonly description?: string | undefined
  /**
   * Why, e.g. a ticket number: ticket-like text (the `Purpose` rule, checked before anything else:
   * a purpose that breaks it fails the start with `PurposeError`, nothing sent), kept beside the
   * chain so that it can be erased.
   */
  readonly purpose?: string | undefined
  /** Sends the start with this `downloadRequestId` (e.g. the client's `startExport`). */
  readonly start: (downloadRequestId: string) => Effect.Effect<S, E, R>
}

/**
 * The options of {@link run}: the export and its records ({@link Request}), and the policies.
 *
 * @since 0.1.0
 */
export interface Options<S extends Created, E, R, ES, RS, ED, RD, EC, RC> extends Request<S, E, R> {
  /**
   * How far back a start of the same filter counts as a repeat, in milliseconds; 0 (or less) never
   * looks for one.
   */
  readonly duplicateWindowMs: number
  /** Start anew whatever the journal holds (the journal is still written first, under the lock). */
  readonly force?: boolean | undefined
  /** See {@link EarlierFailed}; default `"retry"`. Needs {@link Options.taskStatus}. */
  readonly earlierFailed?: EarlierFailed | undefined
  /**
   * The task of an earlier start as the API reports it now (`GET /tasks/{id}`), or `undefined` when
   * the API does not know it (such a start still counts: it may have exported the same people).
   * Asked once a recent start is found, to tell a task that ended in error from one that did not.
   * Without it every recent start is a repeat. A failure stops the start.
   */
  readonly taskStatus?: ((asyncTaskId: string) => Effect.Effect<Task.Task | undefined, ES, RS>) | undefined
  /** See {@link OnDuplicate}. */
  readonly onDuplicate: OnDuplicate<ED, RD>
  /** See {@link OnUnwritableJournal}. */
  readonly onUnwritableJournal: OnUnwritableJournal
  /**
   * Runs when no repeat stopped the start, before the lock is taken (a prompt, a consent): failing
   * stops it, nothing sent.
   */
  readonly confirm?: Effect.Effect<void, EC, RC> | undefined
}

/**
 * The export was started: what the start function answered, the `downloadRequestId` sent and when the
 * start was recorded (ISO-8601). `unguarded` says why it was started without the journal's guard,
 * when it was; `unrecorded` is the error of a start that could not be recorded once made (a repeated
 * start of the filter will then not be recognised); `unrecordedHere` the error of a start that could
 * not be written to this install's own record of starts (`Starts`, when the context holds it): the
 * install will not count it as its own.
 *
 * @since 0.1.0
 */
export interface Started<S> {
  readonly _tag: "Started"
  readonly started: S
  readonly downloadRequestId: string
  readonly at: string
  readonly unguarded: string | undefined
  readonly unrecorded: Journal.JournalError | undefined
  readonly unrecordedHere: Journal.JournalError | undefined
}

/**
 * A recent start of the same filter was returned instead of starting: nothing was sent. `meanwhile`
 * is true when another process started it while this one was getting ready.
 *
 * @since 0.1.0
 */
export interface Reused extends Earlier {
  readonly _tag: "Reused"
  readonly meanwhile: boolean
}

/**
 * A recent start of the same filter was found and the start refused: nothing was sent. `meanwhile`
 * as for {@link Reused}.
 *
 * @since 0.1.0
 */
export interface Refused extends Earlier {
  readonly _tag: "Refused"
  readonly meanwhile: boolean
}

/**
 * The outcome of {@link run}.
 *
 * @since 0.1.0
 */
export type Outcome<S> = Started<S> | Reused | Refused

/** The entry members every record of this start carries. */
const recorded = <S extends Created, E, R>(request: Request<S, E, R>, downloadRequestId: string) => ({
  source: request.source,
  kind: request.kind ?? ExportKind.Customer.name,
  fingerprint: request.fingerprint,
  downloadRequestId,
  host: request.host,
  ...(request.actor !== undefined ? { actor: request.actor } : {}),
  ...(request.brand !== undefined ? { brand: request.brand } : {}),
  ...(request.description !== undefined ? { description: request.description } : {}),
  ...(request.purpose !== undefined ? { purpose: request.purpose } : {})
})

/**
 * Starts, then records `started` in the journal and in this install's own record of starts (when
 * the context holds one); a record that fails is reported in the outcome, not as a failure.
 */
const send = <S extends Created, E, R>(
  journal: Journal.Service,
  request: Request<S, E, R>,
  downloadRequestId: string,
  unguarded: string | undefined
): Effect.Effect<Started<S>, E, R> =>
  Effect.gen(function* () {
    const started = yield* request.start(downloadRequestId)
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    // a task found afterwards is not proof that this install created it
    const reconciled = started.reconciled === true
    const written = yield* Effect.either(
      journal.append({
        ...recorded(request, downloadRequestId),
        at,
        event: "started",
        asyncTaskId: started.asyncTaskId,
        ...(reconciled ? { reconciled: true } : {})
      })
    )
    const own = yield* Effect.serviceOption(Starts.Starts)
    const ownWritten =
      own._tag === "Some" && !reconciled
        ? yield* Effect.either(
            own.value.append({
              at,
              source: request.source,
              asyncTaskId: started.asyncTaskId,
              host: request.host,
              ...(request.actor !== undefined ? { actor: request.actor } : {}),
              kind: request.kind ?? ExportKind.Customer.name,
              downloadRequestId
            })
          )
        : undefined
    return {
      _tag: "Started" as const,
      started,
      downloadRequestId,
      at,
      unguarded,
      unrecorded: Either.isLeft(written) ? written.left : undefined,
      unrecordedHere: ownWritten !== undefined && Either.isLeft(ownWritten) ? ownWritten.left : undefined
    }
  })

/**
 * Starts without the journal's guard (no repeat check, no lock, no `requested` record), saying `why`
 * in the outcome, and records the start if the journal takes it. For a front end that cannot even
 * fingerprint the filter safely (its key cannot be created) and was told to start anyway. A purpose
 * that breaks the `Purpose` rule fails with `PurposeError`, nothing sent.
 *
 * @since 0.1.0
 */
export const unguarded = <S extends Created, E, R>(
  request: Request<S, E, R>,
  why: string
): Effect.Effect<Started<S>, E | Purpose.PurposeError, R | Journal.Journal> =>
  Effect.flatMap(Purpose.validate(request.purpose), (purpose) =>
    Effect.flatMap(Journal.Journal, (journal) =>
      send(journal, { ...request, purpose }, request.downloadRequestId ?? randomUUID(), why)
    )
  )

const isJournalError = (error: unknown): error is Journal.JournalError =>
  error instanceof Journal.JournalError

/**
 * Starts an export unless the same filter was started recently (see the module's description), in
 * the journal of the context. Fails with `PurposeError` when the purpose breaks the `Purpose` rule
 * (before anything else), the start function's error, the hooks' errors, or `JournalError` when the
 * journal cannot be read or written (unless `onUnwritableJournal` says to send anyway); nothing is
 * sent before `requested` is recorded, unless unguarded.
 *
 * @since 0.1.0
 */
export const run = <
  S extends Created,
  E,
  R,
  ES = never,
  RS = never,
  ED = never,
  RD = never,
  EC = never,
  RC = never
>(
  given: Options<S, E, R, ES, RS, ED, RD, EC, RC>
): Effect.Effect<
  Outcome<S>,
  E | ES | ED | EC | Journal.JournalError | Purpose.PurposeError,
  R | RS | RD | RC | Journal.Journal
> =>
  Effect.gen(function* () {
    const options = { ...given, purpose: yield* Purpose.validate(given.purpose) }
    const journal = yield* Journal.Journal
    const key = { fingerprint: options.fingerprint, host: options.host, kind: options.kind }
    const downloadRequestId = options.downloadRequestId ?? randomUUID()
    const retryFailed = (options.earlierFailed ?? "retry") === "retry"
    /** The task of a recent start let through already (it ended in error, or was answered "start"). */
    let accepted: string | undefined
    /** The recent start that makes this one a repeat, if any. */
    const repeat = Effect.gen(function* () {
      if (options.force || options.duplicateWindowMs <= 0) return undefined
      const now = yield* Clock.currentTimeMillis
      const entry = yield* journal.latestStart({ ...key, now, windowMs: options.duplicateWindowMs })
      if (entry === undefined || entry.asyncTaskId === accepted) return undefined
      const task = options.taskStatus ? yield* options.taskStatus(entry.asyncTaskId) : undefined
      if (retryFailed && task !== undefined && Task.statusKind(task.status) === "error") {
        accepted = entry.asyncTaskId
        return undefined
      }
      return { entry, task }
    })

    const found = yield* repeat
    if (found !== undefined) {
      const choice =
        typeof options.onDuplicate === "function" ? yield* options.onDuplicate(found) : options.onDuplicate
      if (choice === "refuse") return { _tag: "Refused", ...found, meanwhile: false } satisfies Refused
      if (choice === "reuse") return { _tag: "Reused", ...found, meanwhile: false } satisfies Reused
      accepted = found.entry.asyncTaskId
    }
    if (options.confirm !== undefined) yield* options.confirm

    // one start of this filter at a time across every process sharing the journal; the journal is
    // read again under the lock, so that a start made elsewhere since the check above is seen
    const guarded = Effect.gen(function* () {
      const raced = yield* repeat
      if (raced !== undefined) {
        return options.onDuplicate === "reuse"
          ? ({ _tag: "Reused", ...raced, meanwhile: true } satisfies Reused)
          : ({ _tag: "Refused", ...raced, meanwhile: true } satisfies Refused)
      }
      // written before sending: nothing is sent that the journal could not record
      yield* journal.append({ ...recorded(options, downloadRequestId), event: "requested", asyncTaskId: "" })
      // the start's own failure passes through the handling of the journal's below
      return yield* Effect.either(send(journal, options, downloadRequestId, undefined))
    }).pipe(journal.withStartLock(key))

    const outcome = yield* guarded.pipe(
      Effect.catchIf(
        isJournalError,
        (error): Effect.Effect<Either.Either<Started<S>, E>, Journal.JournalError | E, R> =>
          options.onUnwritableJournal === "send-unguarded" && error.path !== undefined
            ? Effect.map(send(journal, options, downloadRequestId, error.message), Either.right)
            : Effect.fail(error)
      )
    )
    if (!Either.isEither(outcome)) return outcome
    return yield* outcome
  })
