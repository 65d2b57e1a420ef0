import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import { BoosterConfig, Retry } from "../src/index.js"
import { clientFor, realSleep, sandbox, waitFor } from "./support.js"

const policy: Required<BoosterConfig.RetryOptions> = { ...BoosterConfig.defaults.retry }

interface Failure {
  readonly retryable: boolean
  readonly retryAfterMs?: number
}

/** Runs an always-failing effect under the policy on the test clock; returns the attempt times. */
const attemptTimes = (failure: Failure, options = policy) =>
  Effect.gen(function* () {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const fiber = yield* Effect.fork(
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => Ref.update(times, (t) => [...t, now])),
        Effect.zipRight(Effect.fail(failure)),
        Effect.retry(Retry.schedule(options, (f: Failure) => f))
      )
    )
    yield* TestClock.adjust(Duration.minutes(10))
    const exit = yield* Fiber.await(fiber)
    return { exit, times: yield* Ref.get(times) }
  })

describe("Retry policy (test clock)", () => {
  it.effect("backs off exponentially from 0.5 s, doubling, with downward jitter, capped at 8 s", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* attemptTimes({ retryable: true }, { ...policy, maxRetries: 7 })
      expect(Exit.isFailure(exit)).toBe(true)
      expect(times).toHaveLength(8)
      const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]!))
      const nominal = [500, 1000, 2000, 4000, 8000, 8000, 8000]
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(Math.floor(nominal[i]! * 0.75))
        expect(gap).toBeLessThanOrEqual(nominal[i]!)
      })
    })
  )

  it.effect("stops after maxRetries", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes({ retryable: true }, { ...policy, maxRetries: 2 })
      expect(times).toHaveLength(3)
    })
  )

  it.effect("does not retry what retrying cannot fix", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes({ retryable: false })
      expect(times).toHaveLength(1)
    })
  )

  it.effect("waits exactly the Retry-After the server asks for, within the cap", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes(
        { retryable: true, retryAfterMs: 12_000 },
        { ...policy, maxRetries: 2 }
      )
      expect(times).toEqual([0, 12_000, 24_000])
    })
  )

  it.effect("fails at once when Retry-After exceeds the cap", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes({ retryable: true, retryAfterMs: 61_000 })
      expect(times).toEqual([0])
    })
  )

  it("computes nominal backoff delays", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => Retry.backoffMs(policy, n))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000
    ])
    expect(Retry.jitteredBackoffMs(policy, 1, 0)).toBe(375)
    expect(Retry.jitteredBackoffMs(policy, 10, 0.999)).toBe(8000)
  })
})

describe("Retries against the sandbox (test clock)", () => {
  it.scoped("honours Retry-After on a 503 and sends the retry count on the next attempt", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("tasks", [{ kind: "status", status: 503, retryAfterSeconds: 5 }])
      const client = yield* clientFor(sb, { retry: {} })
      const fiber = yield* Effect.fork(client.listTasks())
      yield* waitFor(() => sb.requests().length === 1)
      yield* TestClock.adjust("4900 millis")
      yield* realSleep(150)
      expect(sb.requests()).toHaveLength(1)
      yield* TestClock.adjust("100 millis")
      const tasks = yield* Fiber.join(fiber)
      expect(tasks).toEqual([])
      const requests = sb.requests()
      expect(requests.map((r) => r.status)).toEqual([503, 200])
      expect(requests[0]!.retryCount).toBeUndefined()
      expect(requests[1]!.retryCount).toBe(1)
    })
  )

  it.scoped("honours retry-after-ms on a 429", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("tasks", [{ kind: "status", status: 429, retryAfterMs: 1500 }])
      const client = yield* clientFor(sb, { retry: {} })
      const fiber = yield* Effect.fork(client.listTasks())
      yield* waitFor(() => sb.requests().length === 1)
      yield* TestClock.adjust("1499 millis")
      yield* realSleep(150)
      expect(sb.requests()).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(sb.requests().map((r) => r.status)).toEqual([429, 200])
    })
  )

  it.scoped("uses jittered backoff between 375 and 500 ms for the first retry of a 502", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("tasks", [{ kind: "status", status: 502 }])
      const client = yield* clientFor(sb, { retry: {} })
      const fiber = yield* Effect.fork(client.listTasks())
      yield* waitFor(() => sb.requests().length === 1)
      yield* TestClock.adjust("374 millis")
      yield* realSleep(150)
      expect(sb.requests()).toHaveLength(1)
      yield* TestClock.adjust("126 millis")
      yield* Fiber.join(fiber)
      expect(sb.requests()).toHaveLength(2)
    })
  )

  it.scoped("fails with RateLimitedError saying when to retry when Retry-After exceeds the cap", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("tasks", [{ kind: "status", status: 429, retryAfterSeconds: 120 }])
      const client = yield* clientFor(sb, { retry: {} })
      const error = yield* Effect.flip(client.listTasks())
      expect(error._tag).toBe("RateLimitedError")
      if (error._tag !== "RateLimitedError") return
      expect(error.retryAfterMs).toBe(120_000)
      expect(error.retryAt).toBe(new Date(120_000).toISOString())
      expect(error.message).toContain("120 s")
      expect(error.hint).toContain(error.retryAt)
      expect(sb.requests()).toHaveLength(1)
    })
  )

  it.scoped("interrupting the caller stops a retry sleep at once", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("export", [{ kind: "status", status: 503, retryAfterSeconds: 50 }])
      const client = yield* clientFor(sb, { retry: {} })
      const fiber = yield* Effect.fork(client.startExport({ brand: "CAR", posCodes: ["P001"] }))
      yield* waitFor(() => sb.requests().length === 1)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("60 seconds")
      yield* realSleep(100)
      expect(sb.requests()).toHaveLength(1)
      expect(sb.tasksCreated()).toBe(0)
    })
  )
})
