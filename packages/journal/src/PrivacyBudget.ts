/**
 * The privacy budget of summaries: how much differential privacy (`ε`) the counts-only summaries of
 * customer exports (`PrivateSummary` of `@booster-export/core`) may spend in any 24 hours, kept where
 * the journal is. Every summary is charged its `ε` before it is released, atomically: of several
 * summaries asked at the same instant, those that fit are charged and the rest refused, with the time
 * at which enough budget returns (a charge returns 24 hours after it was made).
 *
 * Two stores keep the same rules: {@link make}, a file beside the local journal (`privacy-budget.jsonl`
 * of the state folder, 0600, shared by every process of the machine under a lock file), and the team
 * database (`PgJournal.open` of `@booster-export/journal-pg`, shared by every process using it, so
 * that the budget is the team's). A charge records when, how much, who, and the task summarised;
 * never a count or anything read from the file.
 *
 * @since 0.1.0
 */
import { appendFile, mkdir, open } from "node:fs/promises"
import { join } from "node:path"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import * as Journal from "./Journal.js"

/**
 * The window a charge counts in: 24 hours, in milliseconds.
 *
 * @since 0.1.0
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000

/**
 * The file of the local budget, in the journal's folder.
 *
 * @since 0.1.0
 */
export const FILE = "privacy-budget.jsonl"

/**
 * Budget is counted in millionths of `ε`, so that sums are exact.
 *
 * @since 0.1.0
 */
export const MICROS = 1_000_000

/**
 * `ε` in millionths, rounded.
 *
 * @since 0.1.0
 */
export const toMicros = (epsilon: number): number => Math.round(epsilon * MICROS)

/**
 * What to charge: `epsilon` against `perDay` (both `ε`, at most six decimals), for a summary of a task.
 *
 * @since 0.1.0
 */
export interface Charge {
  readonly epsilon: number
  readonly perDay: number
  /** The task summarised, recorded with the charge. */
  readonly asyncTaskId?: string | undefined
  /** Who asked, recorded with the charge; default `Journal.actor()`. */
  readonly actor?: string | undefined
}

/**
 * The outcome of a charge: `Spent` (recorded) or `Refused` (nothing recorded). `spent` is the budget
 * used in the last 24 hours (this charge included when spent), `remaining` what is left of `perDay`,
 * and for a refusal `availableAt` the time (epoch milliseconds) at which enough has returned for the
 * charge, absent when the charge exceeds `perDay` itself.
 *
 * @since 0.1.0
 */
export type Outcome =
  | {
      readonly _tag: "Spent"
      readonly spent: number
      readonly remaining: number
      readonly perDay: number
    }
  | {
      readonly _tag: "Refused"
      readonly spent: number
      readonly remaining: number
      readonly perDay: number
      readonly availableAt: number | undefined
    }

/**
 * One past charge: when (epoch milliseconds) and how much, in millionths of `ε`.
 *
 * @since 0.1.0
 */
export interface Spend {
  readonly at: number
  readonly micros: number
}

/**
 * Whether `charge` fits at `now` given the `spends` made before (any order; those older than
 * {@link WINDOW_MS} are ignored): the rule both stores apply, under their lock.
 *
 * @since 0.1.0
 */
export const decide = (spends: ReadonlyArray<Spend>, charge: Charge, now: number): Outcome => {
  const recent = spends.filter((spend) => spend.at > now - WINDOW_MS).sort((a, b) => a.at - b.at)
  const limit = toMicros(charge.perDay)
  const cost = toMicros(charge.epsilon)
  const used = recent.reduce((sum, spend) => sum + spend.micros, 0)
  if (used + cost <= limit) {
    return {
      _tag: "Spent",
      spent: (used + cost) / MICROS,
      remaining: (limit - used - cost) / MICROS,
      perDay: charge.perDay
    }
  }
  let availableAt: number | undefined
  if (cost <= limit) {
    let left = used
    for (const spend of recent) {
      left -= spend.micros
      if (left + cost <= limit) {
        availableAt = spend.at + WINDOW_MS
        break
      }
    }
  }
  return {
    _tag: "Refused",
    spent: used / MICROS,
    remaining: Math.max(0, limit - used) / MICROS,
    perDay: charge.perDay,
    availableAt
  }
}

/**
 * A budget store. It fails with `JournalError` when it cannot be read or written: a summary must not
 * be released whose charge could not be recorded.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Where the budget is kept, for messages: a file path, or `postgres://host/database`. */
  readonly location: string
  /** Charges `charge.epsilon` if it fits in `charge.perDay` over the last 24 hours, atomically. */
  readonly spend: (charge: Charge) => Effect.Effect<Outcome, Journal.JournalError>
}

/**
 * The budget service.
 *
 * @since 0.1.0
 */
export class PrivacyBudget extends Context.Tag("@booster-export/journal/PrivacyBudget")<
  PrivacyBudget,
  Service
>() {}

const Line = Schema.Struct({
  at: Schema.String,
  epsilon: Schema.Number,
  actor: Schema.optional(Schema.String),
  asyncTaskId: Schema.optional(Schema.String)
})
const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(Line))

/**
 * The text of a budget file: empty when it is absent; any other failure to read it is an error (a
 * budget that cannot be read must not read as unspent).
 */
const readText = async (path: string): Promise<string> => {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, "r")
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return ""
    throw error
  }
  try {
    if (!(await handle.stat()).isFile()) throw new Error("it is not a regular file")
    return await handle.readFile("utf8")
  } finally {
    await handle.close()
  }
}

/** The charges of a budget file's text; a line that cannot be read (a torn write) is skipped. */
const spendsOf = (text: string): ReadonlyArray<Spend> =>
  text.split("\n").flatMap((line) => {
    const parsed = decodeLine(line)
    if (parsed._tag === "None") return []
    const at = Date.parse(parsed.value.at)
    return Number.isFinite(at) ? [{ at, micros: toMicros(parsed.value.epsilon) }] : []
  })

/**
 * The budget kept in `directory` (default: the state folder, as the journal), in {@link FILE}: one
 * JSON line per charge (`at`, `epsilon`, `actor`, `asyncTaskId`), the file 0600 and the folder 0700.
 * Charges from every process of the machine take turns under a lock file of the journal's `locks/`
 * folder, and use the effect's clock.
 *
 * @since 0.1.0
 */
export const make = (directory: string = StateDirectory.resolve()): Service => {
  const path = join(directory, FILE)
  const failed = (doing: string) => (error: unknown) =>
    new Journal.JournalError({
      message: `could not ${doing} the privacy budget of summaries at ${path}: ${error instanceof Error ? error.message : String(error)}`,
      path,
      ...(typeof (error as { code?: unknown }).code === "string"
        ? { code: (error as { code: string }).code }
        : {})
    })
  const unreadable = failed("read")
  const unwritable = failed("record a charge in")
  return {
    location: path,
    spend: (charge) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const text = yield* Effect.tryPromise({ try: () => readText(path), catch: unreadable })
        const outcome = decide(spendsOf(text), charge, now)
        if (outcome._tag === "Spent") {
          const line = {
            at: new Date(now).toISOString(),
            epsilon: charge.epsilon,
            actor: charge.actor ?? Journal.actor(),
            ...(charge.asyncTaskId !== undefined ? { asyncTaskId: charge.asyncTaskId } : {})
          }
          yield* Effect.tryPromise({
            try: async () => {
              await mkdir(directory, { recursive: true, mode: 0o700 })
              // a torn last line (a crash mid-write) is left on its own line
              const separator = text !== "" && !text.endsWith("\n") ? "\n" : ""
              await appendFile(path, `${separator}${JSON.stringify(line)}\n`, { mode: 0o600 })
            },
            catch: unwritable
          })
        }
        return outcome
      }).pipe(
        // the journal's lock files serialise every process of the machine; a key no start uses
        Journal.withStartLock(directory, {
          fingerprint: "privacy-budget",
          host: undefined,
          kind: "privacy-budget"
        })
      )
  }
}

/**
 * A layer providing the budget kept in `directory` (default: the state folder, as {@link make}).
 *
 * @since 0.1.0
 */
export const layer = (directory: string = StateDirectory.resolve()): Layer.Layer<PrivacyBudget> =>
  Layer.succeed(PrivacyBudget, make(directory))
