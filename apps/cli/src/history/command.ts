/**
 * `booster history`: the local journal of exports, shared with `booster-mcp` — when, which kind, by which front end,
 * fingerprint, task id, request id, file, size and SHA-256; never personal data.
 */
import { Fingerprint } from "@booster-export/core"
import { Journal } from "@booster-export/journal"
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

/** The `history` command. */
export const historyCommand = Command.make(
  "history",
  {
    limit: Common.limit,
    status: Options.choice("status", [...Common.STATUSES]).pipe(
      Options.withDescription(
        "Only the tasks in this state: requested (started, no end seen), in-progress, completed or error."
      ),
      Options.optional
    ),
    json: Common.json
  },
  (opts) =>
    Effect.gen(function* () {
      const entries = yield* Effect.flatMap(Journal.Journal, (journal) => journal.entries)
      const wanted = Option.getOrUndefined(opts.status)
      const rows = Table.newestFirst(Journal.rows(entries), (row) => row.startedAt ?? row.updatedAt)
        .filter((row) => Table.hasStatus(row.status, wanted))
        .slice(0, Math.max(0, opts.limit))
      if (opts.json) return yield* Term.json(rows)
      if (rows.length === 0)
        return yield* Term.err(
          wanted === undefined ? "No exports recorded yet." : `No ${wanted} exports recorded.`
        )
      const now = new Date()
      const lines = Table.table(
        [
          "STARTED",
          "AGE",
          "KIND",
          "TASK",
          "STATUS",
          "FINGERPRINT",
          "SOURCE",
          "SIZE",
          "FILE",
          "PURPOSE",
          "DESCRIPTION"
        ],
        rows.map((row) => {
          const at = Table.when(row.startedAt ?? row.updatedAt, now)
          return [
            at.date,
            at.age,
            row.kind,
            row.asyncTaskId,
            row.status ?? "-",
            row.fingerprint !== undefined ? Fingerprint.short(row.fingerprint) : "-",
            row.source ?? "-",
            row.bytes !== undefined ? Term.formatBytes(row.bytes) : "-",
            row.file ?? "-",
            Table.noted(row.purpose),
            Table.noted(row.description)
          ]
        }),
        [7]
      )
      for (const line of lines) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions({})))
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Show the local journal ($XDG_STATE_HOME/booster-export/journal.jsonl, shared with booster-mcp), newest first: when (local time and age), export kind, task id, status, filter fingerprint, source (cli or mcp), size, file, purpose and the filter in plain English. It never holds filter values or personal data."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster history"),
      HelpDoc.p("  booster history --status error --limit 5"),
      HelpDoc.p("  booster history --limit 5 --json")
    ])
  )
)
