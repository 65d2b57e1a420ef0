/**
 * Logging to stderr only: stdout carries the protocol. Messages never contain personal values or
 * secrets; callers pass field names, ids and counts.
 */
import type { LogLevel } from "../options/options.js"

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** A logger writing one line per message to stderr. */
export interface Log {
  readonly debug: (message: string) => void
  readonly info: (message: string) => void
  readonly warn: (message: string) => void
  readonly error: (message: string) => void
}

/** A logger that writes messages at `level` or above to stderr. */
export const make = (
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line)
): Log => {
  const at =
    (messageLevel: LogLevel) =>
    (message: string): void => {
      if (ORDER[messageLevel] >= ORDER[level]) write(`booster-mcp ${messageLevel}: ${message}\n`)
    }
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}
