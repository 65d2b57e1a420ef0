/**
 * The client for code that does not use Effect: every operation returns a Promise (or an async
 * iterable for `followTask`), takes an `AbortSignal`, and rejects with the same tagged error
 * classes as the Effect API (`error._tag` is `"RateLimitedError"`, `"OutcomeUnknownError"`, …;
 * each is an `Error`). An aborted call rejects with the signal's reason (an `AbortError` by default).
 *
 * @since 0.1.0
 */
import type { Task } from "@booster-export/core"
import { Cause, Effect, Either, Exit, Fiber, Layer, Logger, ManagedRuntime, Option, Stream } from "effect"
import * as BoosterClientModule from "./BoosterClient.js"
import * as BoosterConfig from "./BoosterConfig.js"
import type * as BoosterError from "./BoosterError.js"

const { BoosterClient } = BoosterClientModule

/**
 * Per-call options: an `AbortSignal` to cancel the call (sleeps and transfers stop at once).
 *
 * @since 0.1.0
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * The Promise client.
 *
 * @since 0.1.0
 */
export interface Client {
  readonly startExport: (
    filter: unknown,
    options?: CallOptions & BoosterClientModule.StartOptions
  ) => Promise<BoosterClientModule.Started>
  readonly dryRun: (
    filter: unknown,
    options?: BoosterClientModule.StartOptions
  ) => Promise<BoosterClientModule.DryRun>
  readonly getTask: (id: string, options?: CallOptions) => Promise<Task.Task>
  readonly listTasks: (options?: CallOptions) => Promise<ReadonlyArray<Task.Task>>
  readonly followTask: (
    id: string,
    options?: CallOptions & BoosterClientModule.FollowOptions
  ) => AsyncIterable<BoosterClientModule.Progress>
  readonly download: (
    taskOrId: Task.Task | string,
    destination: string,
    options?: CallOptions & BoosterClientModule.DownloadOptions
  ) => Promise<BoosterClientModule.Downloaded>
  /** Closes the client's connections. */
  readonly close: () => Promise<void>
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("The operation was aborted", "AbortError")

/**
 * Creates a client. Options are checked at once: invalid ones throw `InvalidConfigError`. Logs
 * (`logLevel` / `BOOSTER_LOG`) go to stderr.
 *
 * @since 0.1.0
 */
export const createClient = (options: BoosterConfig.Options): Client => {
  const checked = BoosterConfig.resolve(options)
  if (Either.isLeft(checked)) throw checked.left
  const layer = BoosterClient.layer(options).pipe(
    Layer.provideMerge(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
  )
  const runtime = ManagedRuntime.make(layer)

  const run = <A>(
    effect: Effect.Effect<A, BoosterError.BoosterError, BoosterClientModule.BoosterClient>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return runtime.runPromiseExit(effect, signal !== undefined ? { signal } : undefined).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw failureOf(exit, signal)
    })
  }

  const failureOf = (exit: Exit.Exit<unknown, unknown>, signal: AbortSignal | undefined): unknown => {
    if (signal?.aborted) return abortReason(signal)
    if (Exit.isSuccess(exit)) return undefined
    const failure = Cause.failureOption(exit.cause)
    return Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }

  const followTask = (
    id: string,
    options?: CallOptions & BoosterClientModule.FollowOptions
  ): AsyncIterable<BoosterClientModule.Progress> => ({
    async *[Symbol.asyncIterator]() {
      const signal = options?.signal
      if (signal?.aborted) throw abortReason(signal)
      const items: Array<BoosterClientModule.Progress> = []
      let ended: Exit.Exit<void, unknown> | undefined
      let wake: (() => void) | undefined
      const fiber = runtime.runFork(
        Effect.flatMap(BoosterClient, (client) =>
          Stream.runForEach(client.followTask(id, options), (progress) =>
            Effect.sync(() => {
              items.push(progress)
              wake?.()
            })
          )
        )
      )
      fiber.addObserver((exit) => {
        ended = exit
        wake?.()
      })
      const onAbort = () => fiber.unsafeInterruptAsFork(fiber.id())
      signal?.addEventListener("abort", onAbort, { once: true })
      try {
        while (true) {
          const next = items.shift()
          if (next !== undefined) {
            yield next
            continue
          }
          if (ended !== undefined) {
            if (Exit.isSuccess(ended) && !signal?.aborted) return
            throw failureOf(ended, signal)
          }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      } finally {
        signal?.removeEventListener("abort", onAbort)
        if (ended === undefined) await runtime.runPromise(Fiber.interrupt(fiber))
      }
    }
  })

  return {
    startExport: (filter, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.startExport(filter, options)),
        options?.signal
      ),
    dryRun: (filter, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.dryRun(filter, options)),
        undefined
      ),
    getTask: (id, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.getTask(id)),
        options?.signal
      ),
    listTasks: (options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.listTasks()),
        options?.signal
      ),
    followTask,
    download: (taskOrId, destination, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.download(taskOrId, destination, options)),
        options?.signal
      ),
    close: () => runtime.dispose()
  }
}
