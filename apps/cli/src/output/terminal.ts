/**
 * Writing to the terminal: data on stdout, messages and progress on stderr; colour only on a TTY and
 * without `NO_COLOR`; a progress bar on a TTY, plain lines otherwise.
 */
import { Effect } from "effect"

/** True when stderr is a terminal. */
export const stderrIsTty = (): boolean => process.stderr.isTTY === true

/** True when a person can answer a question: stdin and stderr are terminals. */
export const canPrompt = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true

/** True when colour may be used on stderr. */
export const useColor = (): boolean =>
  stderrIsTty() &&
  (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "") &&
  process.env.TERM !== "dumb"

const paint = (code: string, text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text)

/** Bold text (on a colour terminal). */
export const bold = (text: string): string => paint("1", text)
/** Dim text (on a colour terminal). */
export const dim = (text: string): string => paint("2", text)
/** Green text (on a colour terminal). */
export const green = (text: string): string => paint("32", text)
/** Yellow text (on a colour terminal). */
export const yellow = (text: string): string => paint("33", text)

/** Writes a line to stdout. */
export const out = (line: string): Effect.Effect<void> =>
  Effect.sync(() => void process.stdout.write(`${line}\n`))

/** Writes a line to stderr. */
export const err = (line: string): Effect.Effect<void> =>
  Effect.sync(() => void process.stderr.write(`${line}\n`))

/** Writes a JSON value as one line to stdout. */
export const json = (value: unknown): Effect.Effect<void> => out(JSON.stringify(value))

/** What the progress display shows. */
export interface ProgressState {
  readonly asyncTaskId: string
  readonly status: string
  readonly percentage: number
  readonly totalResults?: number | undefined
}

const WIDTH = 30

/** One progress bar line: `[#########---------]  45% INP  1,234 rows  task 9b2e…`. */
export const barLine = (p: ProgressState): string => {
  const pct = Math.max(0, Math.min(100, Math.round(p.percentage)))
  const filled = Math.round((pct / 100) * WIDTH)
  const bar = `${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}`
  const rows = p.totalResults !== undefined ? `  ${p.totalResults.toLocaleString("en-GB")} rows` : ""
  return `[${bar}] ${String(pct).padStart(3)}% ${p.status.padEnd(3)}${rows}`
}

/** A progress display on stderr: a bar redrawn in place on a TTY, one line per change otherwise. */
export interface ProgressDisplay {
  readonly update: (p: ProgressState) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/** Makes a progress display; `quiet` shows nothing (for `--json`). */
export const progressDisplay = (quiet: boolean): ProgressDisplay => {
  const tty = stderrIsTty()
  let drawn = false
  return {
    update: (p) =>
      Effect.sync(() => {
        if (quiet) return
        if (tty) {
          process.stderr.write(`\r\u001b[2K${barLine(p)}`)
          drawn = true
        } else {
          process.stderr.write(
            `task ${p.asyncTaskId}: ${p.status} ${Math.round(p.percentage)}%${p.totalResults !== undefined ? ` (${p.totalResults} rows)` : ""}\n`
          )
        }
      }),
    done: Effect.sync(() => {
      if (drawn) process.stderr.write("\n")
      drawn = false
    })
  }
}

/** Formats a byte count: `1.2 MB`. */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`
  const units = ["KB", "MB", "GB", "TB"]
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
