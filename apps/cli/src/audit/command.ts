/**
 * `booster audit verify|export|checkpoint|redact|migrate`: the journal as an audit trail. `verify`
 * checks the chain (and signed checkpoints) and names the first altered, removed, reordered or
 * inserted entry; `export` gives the record a data-protection officer asks for (who, what, why,
 * where), as a table, JSON or CSV; `checkpoint` signs the head; `redact` erases a purpose's text;
 * `migrate` applies the team database's schema (the owner role).
 */
import { RelativeDate } from "@booster-export/core"
import { Checkpoint, Journal } from "@booster-export/journal"
import { Args, Command, Options } from "@effect/cli"
import { Effect, Either, Option, Redacted, Schema } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as Profiles from "../config/profiles.js"
import * as FilterInput from "../export/filter-input.js"
import * as CliJournal from "../journal/journal.js"
import * as Csv from "../output/csv.js"
import { UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

/**
 * The audit trail failed verification: an entry was altered, removed, reordered, inserted or
 * stripped of its link, or a signed checkpoint does not match the trail (truncated, rewritten, a
 * signature that does not hold, a checkpoint removed).
 */
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

const checkpointsOption = (description: string) =>
  Options.directory("checkpoints").pipe(
    Options.withPseudoName("DIR"),
    Options.withDescription(`${description} Default: $${Checkpoint.ENV_DIR}.`),
    Options.optional
  )

const verify = Command.make(
  "verify",
  {
    json: Common.json,
    checkpoints: checkpointsOption(
      "Also check every signed checkpoint in this folder: its signature, and that the trail still holds the entry it signed."
    ),
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      const journal = yield* Journal.Journal
      const result = yield* journal.verify
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
      const folder =
        Option.getOrUndefined(opts.checkpoints) ?? (process.env[Checkpoint.ENV_DIR]?.trim() || undefined)
      const checked =
        folder === undefined ? undefined : yield* Checkpoint.verify(folder, yield* journal.trail)
      if (checked !== undefined && !checked.ok) {
        return yield* new AuditTrailError({
          message: `The audit trail at ${journal.location} does not match its checkpoints in ${folder}. ${checked.message}.`,
          hint:
            checked.problem === "truncated" || checked.problem === "rewritten"
              ? "The trail was changed after it was checkpointed: restore the journal from a backup and find out who changed it."
              : "The checkpoint folder was changed: restore it from a backup and find out who changed it.",
          problem: checked.problem,
          ...(checked.seq !== undefined ? { seq: checked.seq } : {}),
          position: checked.seq ?? 0,
          location: journal.location
        })
      }
      if (opts.json) {
        return yield* Term.json({
          location: journal.location,
          ...result,
          ...(checked !== undefined ? { checkpoints: checked } : {})
        })
      }
      yield* Term.out(
        `The audit trail at ${journal.location} is intact: ${result.entries} chained entries` +
          (result.unchained > 0 ? `, ${result.unchained} older entries written before the chain began` : "") +
          (result.unreadable > 0 ? `, ${result.unreadable} unreadable line(s) skipped` : "") +
          "."
      )
      if (result.head !== undefined) {
        yield* Term.out(
          `Head: entry ${result.head.seq}, ${isDatabase(journal) ? "keyed link" : "sha256"} ${result.head.hash}`
        )
      }
      if (checked?.ok) {
        yield* Term.out(
          `Checkpoints: ${checked.checkpoints} in ${folder} hold, the newest at entry ${checked.newest.seq} (${checked.newest.at}), signed by ${checked.keyIds.join(", ")}.`
        )
      } else if (result.head !== undefined) {
        yield* Term.err(
          Term.dim(
            "Sign the head with `booster audit checkpoint`: a trail cut short or rewritten after it then shows."
          )
        )
      }
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Check the journal's chain (the local file, or the team's database with BOOSTER_JOURNAL_URL, whose keyed links the database itself recomputes): exit 0 when intact, exit 1 naming the first altered, removed, reordered or inserted entry. With --checkpoints DIR, also every signed checkpoint there: a trail cut short or rewritten since exits 1 too.",
      [
        "booster audit verify",
        "BOOSTER_JOURNAL_URL=postgres://carol@replica.example.com/booster_export booster audit verify --checkpoints /mnt/audit/checkpoints --json"
      ]
    )
  )
)

const checkpoint = Command.make(
  "checkpoint",
  {
    json: Common.json,
    checkpoints: checkpointsOption(
      "Write the checkpoint into this folder (created 0700; a file per checkpoint, 0600). Default: $BOOSTER_CHECKPOINT_DIR, else checkpoints/ in the state folder."
    ),
    ...profile
  },
  (opts) =>
    Effect.gen(function* () {
      const journal = yield* Journal.Journal
      const folder = Option.getOrUndefined(opts.checkpoints) ?? Checkpoint.folderOf(process.env)
      const key = yield* Checkpoint.loadKey({ env: process.env })
      const written = yield* Checkpoint.take(journal, { folder, key })
      if (opts.json) return yield* Term.json({ path: written.path, ...written.checkpoint })
      yield* Term.out(
        `Checkpoint of entry ${written.checkpoint.seq} (${written.checkpoint.hash}) written to ${written.path}, signed by ${key.keyId}.`
      )
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Verify the journal, then sign its head (newest entry and hash, time, the previous checkpoint's digest) with this install's Ed25519 key (checkpoint.key beside the journal, or $BOOSTER_CHECKPOINT_KEY_FILE) into a new file of the checkpoint folder. Keep the folder where the journal's writers cannot rewrite it.",
      ["booster audit checkpoint --checkpoints /mnt/audit/checkpoints"]
    )
  )
)

const redact = Command.make(
  "redact",
  { entry: Args.integer({ name: "ENTRY" }), json: Common.json, ...profile },
  (opts) =>
    Effect.gen(function* () {
      const journal = yield* Journal.Journal
      const outcome = yield* journal.erasePurpose(opts.entry, { source: "cli" })
      if (outcome === "unknown") {
        return yield* new UsageError({
          message: `The journal at ${journal.location} has no entry ${opts.entry}`,
          hint: "The entry is the seq column of `booster audit export`."
        })
      }
      if (opts.json) return yield* Term.json({ location: journal.location, entry: opts.entry, outcome })
      yield* Term.out(
        outcome === "erased"
          ? `The purpose of entry ${opts.entry} was erased; it now reads ${"<erased>"}, the erasure is recorded, and the trail still verifies.`
          : `Entry ${opts.entry} holds no erasable purpose text (none was given, it was erased already, or an earlier version wrote it into the chain itself): nothing to erase.`
      )
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "Erase the purpose text of one journal entry (an erasure request): the text and its key are removed, the chain keeps only their keyed hash and still verifies, and an `erased` entry records who did it. In the team database this needs the owner role (or a role granted booster_journal_erase_purpose).",
      ["booster audit redact 42"]
    )
  )
)

const migrate = Command.make("migrate", { json: Common.json, ...profile }, (opts) =>
  Effect.gen(function* () {
    const settings = yield* Profiles.resolveSettings({
      profile: Option.getOrUndefined(opts.profile)
    })
    const url = settings.journalUrl
    if (url === undefined) {
      return yield* new UsageError({
        message: "booster audit migrate applies the team database's schema: BOOSTER_JOURNAL_URL is not set",
        hint: "Set BOOSTER_JOURNAL_URL to the database with the owner role, e.g. postgres://booster_owner@db.example.com/booster_export."
      })
    }
    const location = Journal.describeDatabaseUrl(Redacted.value(url))
    const PgJournal = yield* Effect.promise(() => import("@booster-export/journal-pg/PgJournal"))
    const applied = yield* Effect.provide(PgJournal.migrate(), PgJournal.layerClient({ url }))
    if (opts.json) return yield* Term.json({ location, applied })
    yield* Term.out(
      applied.length === 0
        ? `The team journal at ${location} is current: nothing to apply.`
        : `Applied to the team journal at ${location}: ${applied.map((step) => `${step.id}_${step.name}`).join(", ")}.`
    )
  })
).pipe(
  Command.withDescription(
    withExamples(
      "Create or update the team database's tables and functions (BOOSTER_JOURNAL_URL with the owner role), once and after each upgrade; then grant the team and auditor roles as docs/team.md (Running for a team) says. Other roles never migrate.",
      ["BOOSTER_JOURNAL_URL=postgres://booster_owner@db.example.com/booster_export booster audit migrate"]
    )
  )
)

/** The columns of `audit export`, in order (`kind`, added after the others, last: a CSV read by position keeps its columns). */
export const COLUMNS = [
  "at",
  "event",
  "actor",
  "writer",
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
  "hash",
  "kind"
] as const

type Row = Partial<Record<(typeof COLUMNS)[number], string | number>>

/**
 * The rows of `audit export`: one per entry at or after `since`, oldest first; an entry about a task
 * also carries what its start recorded (kind, request id, fingerprint, description, purpose). Every
 * entry about a task names its export kind: `customers` when neither it nor its start records one
 * (the entries of versions before the other kinds).
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
        (column === "kind" && entry.asyncTaskId !== "" ? Journal.kindOf(start ?? entry) : undefined) ??
        (["downloadRequestId", "fingerprint", "description", "purpose", "brand"].includes(column)
          ? (start as Record<string, unknown> | undefined)?.[column]
          : undefined)
      if (typeof value === "string" || typeof value === "number") row[column] = value
    }
    out.push(row)
  }
  return out
}

const parseSince = (raw: string): Effect.Effect<number, UsageError> =>
  Either.match(RelativeDate.resolveInstant(raw, FilterInput.localClock()), {
    onLeft: (problem) =>
      Effect.fail(
        new UsageError({
          message: `--since ${problem}`,
          hint: "For example --since 2026-01-01 (local midnight), --since -30d or --since -2h."
        })
      ),
    onRight: Effect.succeed
  })

const exportCommand = Command.make(
  "export",
  {
    since: Options.text("since").pipe(
      Options.withPseudoName("DATE"),
      Options.withDescription(
        "Only entries at or after this time: a date (YYYY-MM-DD, local), -30d, -6m, -2h, -90min, or an ISO-8601 time."
      ),
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
        ["AT", "EVENT", "KIND", "ACTOR", "SOURCE", "TASK", "PURPOSE", "FILE"],
        selected.map((row) => [
          Table.when(String(row.at), now).date,
          String(row.event ?? "-"),
          String(row.kind ?? "-"),
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
      "Print the audit record: one row per journal entry (started, completed, failed, downloaded, deleted, erased) with its export kind, who (actor: OS user@host, as the client claims; writer: the database role that wrote it, in a team database), source (cli, mcp, library), task and request ids, fingerprint, plain-English description, purpose, and for files the path, size and SHA-256. Never a filter value or personal data.",
      ["booster audit export --since 2026-01-01 --csv > audit.csv", "booster audit export --json"]
    )
  )
)

/** The `audit` command. */
export const auditCommand = Command.make("audit").pipe(
  Command.withDescription(
    withExamples(
      "Verify the journal's chain and its signed checkpoints, export the audit record, sign a checkpoint, erase a purpose, migrate the team database.",
      [
        "booster audit verify --checkpoints /mnt/audit/checkpoints",
        "booster audit export --since 2026-01-01 --csv > audit.csv",
        "booster audit checkpoint --checkpoints /mnt/audit/checkpoints"
      ]
    )
  ),
  Command.withSubcommands([verify, exportCommand, checkpoint, redact, migrate])
)
