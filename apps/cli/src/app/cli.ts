/**
 * The `booster` command tree and its runner. Runtime layers are chosen in `bin.ts`.
 */
import { Command, HelpDoc } from "@effect/cli"
import { auditCommand } from "../audit/command.js"
import { configCommand } from "../config/command.js"
import { demoCommand } from "../demo/command.js"
import { doctorCommand } from "../doctor/command.js"
import { exportCommand } from "../export/command.js"
import { filesCommand } from "../files/command.js"
import { filtersCommand } from "../filters/command.js"
import { historyCommand } from "../history/command.js"
import { exitCodeTable } from "../output/errors.js"
import { sandboxCommand } from "../sandbox/command.js"
import { scheduleCommand, workerCommand } from "../schedule/command.js"
import { tasksCommand } from "../tasks/command.js"

/** The version printed by `--version`. */
export const VERSION = "0.1.0"

const rootDescription = HelpDoc.blocks([
  HelpDoc.p(
    "Start, follow and download Booster2 exports: customers, stock, movements, sell-out, invoices and orders. Data goes to stdout, progress and messages to stderr; --json gives one JSON value on stdout."
  ),
  HelpDoc.h1("EXAMPLES"),
  HelpDoc.p("  booster demo"),
  HelpDoc.p("  booster export --brand CAR --pos-code ES100 --dry-run"),
  HelpDoc.p("  booster export --brand CAR --pos-code ES100 --yes --output customers.csv"),
  HelpDoc.p("  booster tasks wait 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40 --output customers.csv"),
  HelpDoc.h1("ENVIRONMENT"),
  HelpDoc.p(
    "BOOSTER_BASE_URL, BOOSTER_API_KEY (sent as Authorization: Bearer unless BOOSTER_API_KEY_HEADER names a header), BOOSTER_API_KEY_FILE, BOOSTER_PROFILE, BOOSTER_EXPORT_DIR, BOOSTER_LOG (debug|info|warn|error), NO_COLOR. Precedence: flag > environment > profile > default."
  ),
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.blocks(exitCodeTable.map(([code, meaning]) => HelpDoc.p(`  ${String(code).padEnd(4)}${meaning}`)))
])

/** The root command. */
export const rootCommand = Command.make("booster").pipe(
  Command.withDescription(rootDescription),
  Command.withSubcommands([
    exportCommand,
    filtersCommand,
    tasksCommand,
    historyCommand,
    scheduleCommand,
    workerCommand,
    auditCommand,
    filesCommand,
    configCommand,
    doctorCommand,
    sandboxCommand,
    demoCommand
  ])
)

/** Runs the command line on `process.argv`-shaped arguments. */
export const cli = Command.run(rootCommand, { name: "booster", version: VERSION })
