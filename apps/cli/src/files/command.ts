/**
 * `booster files list|purge`: retention of downloaded exports. Each download is recorded with an
 * expiry (the profile's `retentionDays`, default 30) in this install's own record of downloads;
 * `purge` deletes expired files of that record that are still as downloaded, where they were
 * downloaded, and records each deletion; anything else is reported, not deleted. Rows of a team
 * journal name nothing here.
 */
import { Downloads, Journal, Retention } from "@booster-export/journal"
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import { UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

const profile = { profile: Common.settings.profile }

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 }

/** Parses `--older-than`: `30d`, `12h`, `90m`, or a number of days. */
export const parseAge = (raw: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([dhm]?)$/i.exec(raw.trim())
  if (match === null) return undefined
  return Number(match[1]) * UNITS[(match[2] || "d").toLowerCase()]!
}

const list = Command.make(
  "list",
  {
    all: Options.boolean("all").pipe(Options.withDescription("Include files retention already deleted.")),
    json: Common.json,
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      const own = yield* Downloads.Downloads
      const known = Retention.files(yield* own.entries).filter(
        (file) => opts.all || file.deletedAt === undefined
      )
      const now = Date.now()
      const listed = yield* Effect.forEach(known, (file) =>
        Effect.map(Retention.inspect(file), (state) => ({
          ...file,
          state,
          expired: file.deletedAt === undefined && Retention.isDue(file, now)
        }))
      )
      if (opts.json) return yield* Term.json(listed)
      if (listed.length === 0) return yield* Term.err("No downloaded files recorded.")
      const today = new Date(now)
      const lines = Table.table(
        ["DOWNLOADED", "EXPIRES", "STATE", "SIZE", "FILE"],
        listed.map((file) => [
          Table.when(file.downloadedAt, today).date,
          file.deletedAt !== undefined
            ? "-"
            : `${Table.when(file.expiresAt ?? Retention.expiresAt(Date.parse(file.downloadedAt)), today).date}${file.expired ? " (expired)" : ""}`,
          file.state,
          file.bytes !== undefined ? Term.formatBytes(file.bytes) : "-",
          file.path
        ]),
        [3]
      )
      for (const line of lines) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "List the files this install downloaded: when downloaded, when they expire, and whether each is still as downloaded (kept), missing, changed (size or SHA-256 differ), redirected (its path now leads elsewhere) or unverified (recorded without size and SHA-256). Downloads a team journal records from other machines are not listed.",
      ["booster files list", "booster files list --all --json"]
    )
  )
)

const purge = Command.make(
  "purge",
  {
    olderThan: Options.text("older-than").pipe(
      Options.withPseudoName("AGE"),
      Options.withDescription(
        "Delete files downloaded longer ago than this (30d, 12h, 90m) instead of those past their expiry."
      ),
      Options.optional
    ),
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription("Say what would be deleted; delete nothing.")
    ),
    json: Common.json,
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      let olderThanMs: number | undefined
      if (Option.isSome(opts.olderThan)) {
        olderThanMs = parseAge(opts.olderThan.value)
        if (olderThanMs === undefined) {
          return yield* new UsageError({
            message: "--older-than must be an age such as 30d, 12h or 90m",
            hint: "For example --older-than 30d."
          })
        }
      }
      const journal = yield* Journal.Journal
      const outcomes = yield* Retention.purge(yield* Downloads.Downloads, journal, {
        source: "cli",
        now: Date.now(),
        olderThanMs,
        dryRun: opts.dryRun
      })
      if (opts.json) {
        return yield* Term.json(
          outcomes.map(({ file, outcome, reason }) => ({
            path: file.path,
            asyncTaskId: file.asyncTaskId,
            outcome,
            ...(reason !== undefined ? { reason } : {})
          }))
        )
      }
      for (const { file, outcome, reason } of outcomes) {
        if (outcome === "deleted")
          yield* Term.out(Term.line`${opts.dryRun ? "Would delete" : "Deleted"} ${file.path}`)
        else if (outcome === "changed")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} changed since it was downloaded (size or SHA-256); left in place.`
            )
          )
        else if (outcome === "missing")
          yield* Term.err(
            Term.yellow(Term.line`Warning: ${file.path} is no longer there (moved or removed by hand).`)
          )
        else if (outcome === "redirected")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} no longer leads to the file downloaded there (a symbolic link, or a folder that is not the one written into); left in place.`
            )
          )
        else if (outcome === "unverified")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} was recorded without its size and SHA-256, so it cannot be told apart from another file; left in place (delete it by hand if it is the export).`
            )
          )
        else
          yield* Term.err(
            Term.yellow(Term.line`Warning: ${file.path} could not be deleted (${reason ?? ""}).`)
          )
      }
      const deleted = outcomes.filter((o) => o.outcome === "deleted").length
      yield* Term.err(
        deleted === 0
          ? "Nothing to delete."
          : `${opts.dryRun ? "Would delete" : "Deleted"} ${deleted} file(s)${opts.dryRun ? "" : "; each deletion is in the journal"}.`
      )
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Delete the exports this install downloaded that are past their expiry (or older than --older-than) and still as downloaded, where they were downloaded (same size and SHA-256, no symbolic link), and record each deletion in the journal. Anything else is reported and left in place; rows of a team journal never delete a file.",
      ["booster files purge", "booster files purge --older-than 7d --dry-run"]
    )
  )
)

/** The `files` command. */
export const filesCommand = Command.make("files").pipe(
  Command.withDescription(
    withExamples("Downloaded exports and their retention: list them, purge the expired ones.", [
      "booster files list",
      "booster files purge --dry-run"
    ])
  ),
  Command.withSubcommands([list, purge])
)
