import { Task } from "@booster-export/core"
import { Chunk, Clock, Duration, Effect, Option, Stream } from "effect"
import type { FollowOptions, Progress } from "../BoosterClient.js"
import * as BoosterError from "../BoosterError.js"
import type { Api } from "./api.js"

const progressOf = (task: Task.Task): Progress => ({
  asyncTaskId: task.asyncTaskId,
  status: task.status,
  statusKind: Task.statusKind(task.status),
  percentage: task.percentage,
  ...(task.totalResults !== undefined ? { totalResults: task.totalResults } : {}),
  ...(task.totalSucceeded !== undefined ? { totalSucceeded: task.totalSucceeded } : {}),
  ...(task.totalFailed !== undefined ? { totalFailed: task.totalFailed } : {}),
  task
})

const progressKey = (p: Progress) =>
  `${p.status}|${p.percentage}|${p.totalResults ?? ""}|${p.totalSucceeded ?? ""}|${p.totalFailed ?? ""}`

type State =
  | {
      readonly _tag: "Polling"
      readonly key?: string
      readonly status?: string
      readonly delay: number
      readonly deadline: number
    }
  | { readonly _tag: "Done" }
  | { readonly _tag: "Failed"; readonly error: BoosterError.ExportFailedError }

/** What following a task can fail with. */
type FollowError = BoosterError.ExportFailedError | BoosterError.RequestError

/**
 * Follows a task: polls it (the interval grows by half while nothing changes, back to the first
 * after a status change), emits each change, ends after COM, fails at ERR or when the time runs out.
 */
export const followTask =
  (api: Api) =>
  (id: string, options?: FollowOptions): Stream.Stream<Progress, FollowError> => {
    const initial = options?.pollInitialMs ?? api.config.poll.initialMs
    const max = Math.max(initial, options?.pollMaxMs ?? api.config.poll.maxMs)
    const timeout = options?.timeoutMs ?? api.config.followTimeoutMs
    const step = (
      state: State
    ): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Progress>, State]>, FollowError> =>
      Effect.gen(function* () {
        if (state._tag === "Done") return Option.none()
        if (state._tag === "Failed") return yield* Effect.fail(state.error)
        if (state.key !== undefined) {
          const now = yield* Clock.currentTimeMillis
          if (now + state.delay > state.deadline) {
            return yield* new BoosterError.TransportError({
              reason: "timeout",
              message: `The task was still ${state.status ?? "running"} after ${Math.round(timeout / 1000)} s of following`,
              hint: "Follow it again later with its task id; the export keeps running on the server."
            })
          }
          yield* Effect.sleep(Duration.millis(state.delay))
        }
        const task = yield* api.getTask(id)
        const progress = progressOf(task)
        const key = progressKey(progress)
        const out = key === state.key ? Chunk.empty<Progress>() : Chunk.of(progress)
        if (progress.statusKind === "completed") return Option.some([out, { _tag: "Done" }] as const)
        if (progress.statusKind === "error") {
          const error = new BoosterError.ExportFailedError({
            asyncTaskId: task.asyncTaskId,
            taskStatus: task.status,
            message: `The export task ${task.asyncTaskId} ended in error (${task.status})`,
            hint: "Start the export again, or contact the API's support with the task id."
          })
          return Option.some([out, { _tag: "Failed", error }] as const)
        }
        const delay =
          state.key === undefined
            ? initial
            : state.status !== task.status
              ? initial
              : Math.min(max, Math.round(state.delay * 1.5))
        return Option.some([
          out,
          { _tag: "Polling", key, status: task.status, delay, deadline: state.deadline }
        ] as const)
      })
    return Stream.unwrap(
      Effect.map(Clock.currentTimeMillis, (now) =>
        Stream.unfoldChunkEffect<State, Progress, FollowError, never>(
          { _tag: "Polling", delay: initial, deadline: now + timeout },
          step
        )
      )
    )
  }
