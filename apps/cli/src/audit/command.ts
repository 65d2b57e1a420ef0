/**
 * `booster audit verify|export`: the journal as an audit trail. `verify` checks the hash chain and
 * names the first altered, removed or reordered entry; `export` gives the record a data-protection
 * officer asks for (who, what, why, where), as a table, JSON or CSV.
 */
import { AuditTrail, Journal } from "@booster-export/journal"
import { Command, Options } from "@effect/cli"
import { Effect, Option, Schema } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import * as Csv from "../output/csv.js"
import { UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

/** The audit trail failed verification: an entry was altered, removed, reordered or inserted. */
export class AuditTrailError extends Schema.TaggedError<AuditTrailError>()("AuditTrailError", {
  message: Schema.String,
  hint: Schema.String,
  problem: Schema.String,
  seq: Schema.optional(Schema.Number),
  position: Schema.Number,
  location: Schema.String
}) {}

const profile = { profile: Common.settings.profile }

const isDatabase = (journal: Journal.Service) => Journal.isDatabaseUrl(journal.location)

const verify = Command.make("verify", { json: Common.json, ...profile }, (opts) =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const result = AuditTrail.verify(yield* journal.trail, isDatabase(journal) ? "row" : "line")
    if (!result.ok) {
      return yield* new AuditTrailError({
        message: `The audit trail at ${journal.location} is broken. ${result.message}.`,
        hint: "Entries are append-only: restore the journal from a backup and find out who changed it.",
        problem: result.problem,
        ...(result.seq !== undefined ? { seq: result.seq } : {}),
        position: result.position,
        location: journal.location
      })
    }
    if (opts.json) return yield* Term.json({ location: journal.location, ...result })
    yield* Term.out(
      `The audit trail at ${journal.location} is intact: ${result.entries} chained entries` +
        (result.unchained > 0 ? `, ${result.unchained} older entries written before the chain began` : "") +
        (result.unreadable > 0 ? `, ${result.unreadable} unreadable line(s) skipped` : "") +
        "."
    )
    if (result.head !== undefined) {
      yield* Term.out(`Head: entry ${result.head.seq}, sha256 ${result.head.hash}`)
      yield* Term.err(Term.dim("Keep the head elsewhere: a trail cut short after it shows by comparison."))
    }
  }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Check the journal's hash chain (the local file, or the team's database with BOOSTER_JOURNAL_URL): exit 0 when intact, exit 1 naming the first altered, removed or reordered entry. Prints the head (newest entry and its hash) to keep elsewhere.",
      [
        "booster audit verify",
        "BOOSTER_JOURNAL_URL=postgres://booster@db.example.com/booster booster audit verify --json"
      ]
    )
  )
)

/** The columns of `audit export`, in order. */
export const COLUMNS = [
  "at",
  "event",
  "actor",
  "source",
  "asyncTaskId",
  "downloadRequestId",
  "fingerprint",
  "host",
  "brand",
  "description",
  "purpose",
  "status",
  "file",
  "bytes",
  "sha256",
  "expiresAt",
  "seq",
  "hash"
] as const

type Row = Partial<Record<(typeof COLUMNS)[number], string | number>>

/**
 * The rows of `audit export`: one per entry at or after `since`, oldest first; an entry about a task
 * also carries what its start recorded (request id, fingerprint, description, purpose).
 */
export const rows = (
  entries: ReadonlyArray<Journal.Entry>,
  since: number | undefined
): ReadonlyArray<Row> => {
  const starts = new Map<string, Journal.Entry>()
  const out: Array<Row> = []
  for (const entry of entries) {
    if (Journal.isStart(entry)) starts.set(entry.asyncTaskId, entry)
    const at = Date.parse(entry.at)
    if (since !== undefined && !(at >= since)) continue
    const start = starts.get(entry.asyncTaskId)
    const row: Row = {}
    for (const column of COLUMNS) {
      const value =
        (entry as Record<string, unknown>)[column] ??
        (column === "event" && Journal.isStart(entry) ? "started" : undefined) ??
        (["downloadRequestId", "fingerprint", "description", "purpose", "brand"].includes(column)
          ? (start as Record<string, unknown> | undefined)?.[column]
          : undefined)
      if (typeof value === "string" || typeof value === "number") row[column] = value
    }
    out.push(row)
  }
  return out
}

const parseSince = (raw: string): Effect.Effect<number, UsageError> => {
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw)
  return Number.isFinite(at)
    ? Effect.succeed(at)
    : Effect.fail(
        new UsageError({
          message: "--since must be a date (YYYY-MM-DD) or an ISO-8601 time",
          hint: "For example --since 2026-01-01."
        })
      )
}

const exportCommand = Command.make(
  "export",
  {
    since: Options.text("since").pipe(
      Options.withPseudoName("DATE"),
      Options.withDescription("Only entries at or after this date (YYYY-MM-DD, UTC) or ISO-8601 time."),
      Options.optional
    ),
    csv: Options.boolean("csv").pipe(
      Options.withDescription(
        "CSV with a header row (RFC 4180) on stdout; a cell a spreadsheet would run as a formula (starting with =, +, - or @) gets a leading '."
      )
    ),
    json: Common.json,
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      if (opts.csv && opts.json) {
        return yield* new UsageError({ message: "--csv and --json exclude each other", hint: "Pick one." })
      }
      const since = Option.isSome(opts.since) ? yield* parseSince(opts.since.value) : undefined
      const journal = yield* Journal.Journal
      // with --since the store reads only the entries needed (the database through its time index)
      const selected = rows(yield* since === undefined ? journal.entries : journal.entriesSince(since), since)
      if (opts.json) return yield* Term.json(selected)
      if (opts.csv) {
        return yield* Term.out(Csv.stringify(selected, COLUMNS).replace(/\n$/, ""))
      }
      if (selected.length === 0) return yield* Term.err("No entries.")
      const now = new Date()
      const lines = Table.table(
        ["AT", "EVENT", "ACTOR", "SOURCE", "TASK", "PURPOSE", "FILE"],
        selected.map((row) => [
          Table.when(String(row.at), now).date,
          String(row.event ?? "-"),
          String(row.actor ?? "-"),
          String(row.source ?? "-"),
          String(row.asyncTaskId ?? "-"),
          String(row.purpose ?? "-"),
          String(row.file ?? "")
        ])
      )
      for (const line of lines) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Print the audit record: one row per journal entry (started, completed, failed, downloaded, deleted) with who (actor: OS user@host), source (cli, mcp, library), task and request ids, fingerprint, plain-English description, purpose, and for files the path, size and SHA-256. Never a filter value or personal data.",
      ["booster audit export --since 2026-01-01 --csv > audit.csv", "booster audit export --json"]
    )
  )
)

/** The `audit` command. */
export const auditCommand = Command.make("audit").pipe(
  Command.withDescription(
    withExamples("Verify the journal's hash chain, and export the audit record.", [
      "booster audit verify",
      "booster audit export --since 2026-01-01 --csv > audit.csv"
    ])
  ),
  Command.withSubcommands([verify, exportCommand])
)
