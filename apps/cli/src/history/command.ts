/**
 * `booster history`: the local journal of exports — when, fingerprint, task id, request id, file,
 * size and SHA-256; never personal data.
 */
import { Fingerprint } from "@booster-export/core"
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Common from "../config/options.js"
import * as Term from "../output/terminal.js"
import * as Journal from "./journal.js"

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
      const rows = Journal.rows(yield* Journal.read()).slice(0, Math.max(0, opts.limit))
      if (opts.json) return yield* Term.json(rows)
      if (rows.length === 0) return yield* Term.err("No exports recorded yet.")
      for (const row of rows) {
        const fp = row.fingerprint !== undefined ? Fingerprint.short(row.fingerprint) : "-"
        const file = row.file !== undefined ? `  ${row.file} (${Term.formatBytes(row.bytes ?? 0)})` : ""
        yield* Term.out(
          `${row.startedAt ?? row.updatedAt}  ${row.asyncTaskId}  ${(row.status ?? "-").padEnd(10)} ${fp}${file}`
        )
      }
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Show the local journal ($XDG_STATE_HOME/booster-export/history.jsonl), most recent first: when, task id, status, filter fingerprint, file, size and SHA-256. It never holds filter values or personal data."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster history"),
      HelpDoc.p("  booster history --limit 5 --json")
    ])
  )
)
