/**
 * The retry policy as an Effect `Schedule`: jittered exponential backoff (default 0.5 s doubling,
 * capped at 8 s, each delay drawn between 75 % and 100 % of its nominal value), a `Retry-After` /
 * `retry-after-ms` delay used instead when the server sends one, at most `maxRetries` retries, and
 * no retry at all for a refusal that retrying cannot fix or a `Retry-After` beyond the cap. Every
 * sleep is an Effect sleep: interrupting the caller stops it at once.
 *
 * @since 0.1.0
 */
import { Duration, Schedule } from "effect"
import type * as BoosterConfig from "./BoosterConfig.js"

/**
 * What the policy needs to know about a failure.
 *
 * @since 0.1.0
 */
export interface Failure {
  /** Whether another attempt may succeed (connection errors, 408, 429, 5xx). */
  readonly retryable: boolean
  /** The delay the server asked for, in ms, if it did. */
  readonly retryAfterMs?: number | undefined
}

/**
 * The nominal backoff delay before retry number `retry` (1-based), before jitter:
 * `min(initialDelayMs * 2^(retry-1), maxDelayMs)`.
 *
 * @since 0.1.0
 */
export const backoffMs = (policy: Required<BoosterConfig.RetryOptions>, retry: number): number =>
  Math.min(policy.initialDelayMs * 2 ** Math.max(0, retry - 1), policy.maxDelayMs)

/**
 * True when the server asked to wait longer than the policy allows: the call fails at once with a
 * rate-limit error saying when to retry.
 *
 * @since 0.1.0
 */
export const exceedsCap = (policy: Required<BoosterConfig.RetryOptions>, failure: Failure): boolean =>
  failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs

/**
 * The schedule for `Effect.retry`: its input is the failure, mapped by `classify`.
 *
 * @since 0.1.0
 */
export const schedule = <E>(
  policy: Required<BoosterConfig.RetryOptions>,
  classify: (error: E) => Failure
): Schedule.Schedule<[E, Duration.Duration], E> =>
  Schedule.identity<E>().pipe(
    Schedule.intersect(
      Schedule.exponential(Duration.millis(policy.initialDelayMs), 2).pipe(
        Schedule.jitteredWith({ min: 0.75, max: 1 }),
        Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(policy.maxDelayMs)))
      )
    ),
    Schedule.modifyDelay(([error], delay) => {
      const after = classify(error).retryAfterMs
      return after !== undefined ? Duration.millis(after) : delay
    }),
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.map(([out]) => out),
    Schedule.whileInput((error: E) => {
      const failure = classify(error)
      return failure.retryable && !exceedsCap(policy, failure)
    })
  )

/**
 * One jittered backoff delay for retry number `retry` (1-based), given a random number in [0, 1).
 *
 * @since 0.1.0
 */
export const jitteredBackoffMs = (
  policy: Required<BoosterConfig.RetryOptions>,
  retry: number,
  random: number
): number =>
  Math.min(policy.initialDelayMs * 2 ** Math.max(0, retry - 1) * (0.75 + 0.25 * random), policy.maxDelayMs)
