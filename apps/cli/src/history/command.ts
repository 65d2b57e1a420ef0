/**
 * `booster history`: the local journal of exports, shared with `booster-mcp` — when, by which front end,
 * fingerprint, task id, request id, file, size and SHA-256; never personal data.
 */
import { Fingerprint } from "@booster-export/core"
import { Journal } from "@booster-export/journal"
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

/** The `history` command. */
export const historyCommand = Command.make(
  "history",
  {
    limit: Options.integer("limit").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Show at most this many tasks."),
      Options.withDefault(20)
    ),
    json: Common.json
  },
  (opts) =>
    Effect.gen(function* () {
      const entries = yield* Effect.flatMap(Journal.Journal, (journal) => journal.entries)
      const rows = Journal.rows(entries).slice(0, Math.max(0, opts.limit))
      if (opts.json) return yield* Term.json(rows)
      if (rows.length === 0) return yield* Term.err("No exports recorded yet.")
      const now = new Date()
      const lines = Table.table(
        ["STARTED", "AGE", "TASK", "STATUS", "FINGERPRINT", "SOURCE", "SIZE", "FILE"],
        rows.map((row) => {
          const at = Table.when(row.startedAt ?? row.updatedAt, now)
          return [
            at.date,
            at.age,
            row.asyncTaskId,
            row.status ?? "-",
            row.fingerprint !== undefined ? Fingerprint.short(row.fingerprint) : "-",
            row.source ?? "-",
            row.bytes !== undefined ? Term.formatBytes(row.bytes) : "-",
            row.file ?? ""
          ]
        }),
        [6]
      )
      for (const line of lines) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions({})))
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Show the local journal ($XDG_STATE_HOME/booster-export/journal.jsonl, shared with booster-mcp), most recent first: when (local time and age), task id, status, filter fingerprint, source (cli or mcp), file, size and SHA-256. It never holds filter values or personal data."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster history"),
      HelpDoc.p("  booster history --limit 5 --json")
    ])
  )
)
