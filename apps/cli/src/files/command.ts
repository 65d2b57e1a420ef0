/**
 * `booster files list|purge`: retention of downloaded exports. Each download is recorded with an
 * expiry (the profile's `retentionDays`, default 30) in this install's own record of downloads;
 * `purge` deletes expired files of that record that are still as downloaded, where they were
 * downloaded, and records each deletion; anything else is reported, not deleted. Rows of a team
 * journal name nothing here.
 */
import { ExportKind, RelativeDate, Task } from "@booster-export/core"
import { Downloads, Journal, Retention } from "@booster-export/journal"
import { Command, Options, Prompt } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as FilterInput from "../export/filter-input.js"
import * as CliJournal from "../journal/journal.js"
import { DeclinedError, UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

const profile = { profile: Common.settings.profile }

/**
 * The export kind of each file: the one its download recorded; for a download recorded without one,
 * the kind the journal's start of its task names (read only then, and never failing the command),
 * else `customers` (the downloads of versions before the other kinds).
 */
const withKinds = <F extends Retention.File>(files: ReadonlyArray<F>) =>
  Effect.gen(function* () {
    const kinds = new Map<string, string>()
    if (files.some((file) => file.kind === undefined)) {
      const entries = yield* Effect.flatMap(Journal.Journal, (journal) =>
        Effect.orElseSucceed(journal.entries, () => [])
      )
      for (const row of Journal.rows(entries)) kinds.set(Task.canonicalGuid(row.asyncTaskId), row.kind)
    }
    return files.map((file) => ({
      ...file,
      kind: file.kind ?? kinds.get(Task.canonicalGuid(file.asyncTaskId)) ?? ExportKind.Customer.name
    }))
  })

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
      const known = yield* withKinds(
        Retention.files(yield* own.entries).filter((file) => opts.all || file.deletedAt === undefined)
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
        ["DOWNLOADED", "KIND", "EXPIRES", "STATE", "SIZE", "FILE"],
        listed.map((file) => [
          Table.when(file.downloadedAt, today).date,
          file.kind,
          file.deletedAt !== undefined
            ? "-"
            : `${Table.when(file.expiresAt ?? Retention.expiresAt(Date.parse(file.downloadedAt)), today).date}${file.expired ? " (expired)" : ""}`,
          file.state,
          file.bytes !== undefined ? Term.formatBytes(file.bytes) : "-",
          file.path
        ]),
        [4]
      )
      for (const line of lines) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "List the files this install downloaded: when downloaded, of which export kind, when they expire, and whether each is still as downloaded (kept), missing, changed (size or SHA-256 differ), redirected (its path now leads elsewhere) or unverified (recorded without size and SHA-256). Downloads a team journal records from other machines are not listed.",
      ["booster files list", "booster files list --all --json"]
    )
  )
)

/** The confirmation a purge needs: on a terminal a question naming what goes, elsewhere --yes. */
const confirmPurge = (count: number, bytes: number, noInput: boolean, json: boolean) =>
  Effect.gen(function* () {
    const what = `${count} file${count === 1 ? "" : "s"} (${Term.formatBytes(bytes)})`
    if (!Term.canPrompt() || noInput || json) {
      return yield* new UsageError({
        message: `Nothing was deleted: deleting ${what} needs a confirmation, and ${json ? "--json was given" : noInput ? "--no-input was given" : "there is no terminal to ask on"}`,
        hint: "See what would go with --dry-run, then run the same command with --yes."
      })
    }
    const answer = yield* Prompt.confirm({ message: `Delete ${what}?`, initial: false })
    if (!answer) {
      return yield* new DeclinedError({ message: "Nothing was deleted", hint: "Nothing was deleted." })
    }
  })

const purge = Command.make(
  "purge",
  {
    olderThan: Options.text("older-than").pipe(
      Options.withPseudoName("AGE"),
      Options.withDescription(
        "Delete files downloaded longer ago than this (90min, 12h, 30d, 2w, 6m, 1y; m is months) instead of those past their expiry."
      ),
      Options.optional
    ),
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription("Say what would be deleted; delete nothing.")
    ),
    yes: Options.boolean("yes").pipe(
      Options.withAlias("y"),
      Options.withDescription("Delete without asking (needed where no question can be asked).")
    ),
    noInput: Common.noInput,
    json: Common.json,
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      let olderThanMs: number | undefined
      if (Option.isSome(opts.olderThan)) {
        const clock = FilterInput.localClock()
        const cutoff = RelativeDate.resolveAge(opts.olderThan.value, clock)
        if (Either.isLeft(cutoff)) {
          return yield* new UsageError({
            message: `--older-than ${cutoff.left}`,
            hint: "For example --older-than 30d (days) or --older-than 6m (months); minutes are min."
          })
        }
        olderThanMs = Math.max(0, Number(clock.now) - cutoff.right)
      }
      const journal = yield* Journal.Journal
      const downloads = yield* Downloads.Downloads
      const now = Date.now()
      if (!opts.dryRun && !opts.yes) {
        const due = (yield* Retention.purge(downloads, journal, {
          source: "cli",
          now,
          olderThanMs,
          dryRun: true
        })).filter((o) => o.outcome === "deleted")
        if (due.length > 0) {
          yield* confirmPurge(
            due.length,
            due.reduce((sum, o) => sum + (o.file.bytes ?? 0), 0),
            opts.noInput,
            opts.json
          )
        }
      }
      const purged = yield* Retention.purge(downloads, journal, {
        source: "cli",
        now,
        olderThanMs,
        dryRun: opts.dryRun
      })
      const kinds = yield* withKinds(purged.map((outcome) => outcome.file))
      const outcomes = purged.map((outcome, i) => ({ ...outcome, file: kinds[i]! }))
      if (opts.json) {
        return yield* Term.json(
          outcomes.map(({ file, outcome, reason }) => ({
            path: file.path,
            asyncTaskId: file.asyncTaskId,
            kind: file.kind,
            outcome,
            ...(reason !== undefined ? { reason } : {})
          }))
        )
      }
      for (const { file, outcome, reason } of outcomes) {
        if (outcome === "deleted")
          yield* Term.out(
            Term.line`${opts.dryRun ? "Would delete" : "Deleted"} ${file.path} (${file.kind} export)`
          )
        else if (outcome === "changed")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} (${file.kind} export) changed since it was downloaded (size or SHA-256); left in place.`
            )
          )
        else if (outcome === "missing")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} (${file.kind} export) is no longer there (moved or removed by hand).`
            )
          )
        else if (outcome === "redirected")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} (${file.kind} export) no longer leads to the file downloaded there (a symbolic link, or a folder that is not the one written into); left in place.`
            )
          )
        else if (outcome === "unverified")
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} (${file.kind} export) was recorded without its size and SHA-256, so it cannot be told apart from another file; left in place (delete it by hand if it is the export).`
            )
          )
        else
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${file.path} (${file.kind} export) could not be deleted (${reason ?? ""}).`
            )
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
      "Delete the exports this install downloaded that are past their expiry (or older than --older-than) and still as downloaded, where they were downloaded (same size and SHA-256, no symbolic link), and record each deletion in the journal. Anything else is reported and left in place; rows of a team journal never delete a file. On a terminal it asks first, naming the count and total size; elsewhere it needs --yes.",
      [
        "booster files purge",
        "booster files purge --older-than 6m --dry-run",
        "booster files purge --older-than 30d --yes"
      ]
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
