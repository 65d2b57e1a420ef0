import { Clock, Effect, FiberRef, Logger, LogLevel } from "effect"
import type * as BoosterConfig from "../BoosterConfig.js"
import * as Redact from "../Redact.js"

/** Logs one HTTP attempt at debug level: method, redacted URL, status, attempt and duration. */
export type LogAttempt = (
  method: string,
  url: URL | string,
  attempt: number,
  started: number,
  status: string
) => Effect.Effect<void>

export const logAttempt: LogAttempt = (method, url, attempt, started, status) =>
  Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (minimum) =>
    LogLevel.greaterThan(minimum, LogLevel.Debug)
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.logDebug("booster http").pipe(
            Effect.annotateLogs({
              method,
              url: Redact.url(url),
              status,
              attempt,
              durationMs: now - started
            })
          )
        )
  )

const logLevelOf = (level: BoosterConfig.LogLevel): LogLevel.LogLevel => {
  switch (level) {
    case "debug":
      return LogLevel.Debug
    case "info":
      return LogLevel.Info
    case "warn":
      return LogLevel.Warning
    case "error":
      return LogLevel.Error
    case "none":
      return LogLevel.None
  }
}

/** Runs `effect` at the configured log level (the logger's own when none is configured). */
export const withLogLevel =
  (config: BoosterConfig.Resolved) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    config.logLevel === undefined ? effect : Logger.withMinimumLogLevel(effect, logLevelOf(config.logLevel))
