/**
 * `booster demo [--kind KIND]`: starts the embedded sandbox and runs a real export of that kind
 * (default customers) through `booster export` end to end — description, progress, download, a
 * summary naming the file and a line saying what the toolkit offers for such a file. The demo is
 * not the user's record: it runs with a throw-away state and configuration folder and none of the
 * user's settings (no profile, no team journal, no keys), removed when it ends, so that its export
 * is in no journal, audit trail or retention list.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExportKind, SummaryScanner } from "@booster-export/core"
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Common from "../config/options.js"
import { exportCommand } from "../export/command.js"
import * as Term from "../output/terminal.js"
import { loadSandbox } from "../sandbox/command.js"

const POS = ["--pos-code", "IT100", "--pos-code", "FR100", "--pos-code", "ES100"]

/** The export the demo runs of each kind (the kind's name and flags of `booster export`). */
export const demoExports: { readonly [K in ExportKind.Name]: ReadonlyArray<string> } = {
  customers: ["--brand", "CAR", ...POS, "--customer-status", "Client", "--creation-date-from", "2019-01-01"],
  stock: ["stock", "--brand", "CAR", ...POS],
  movements: ["movements", "--brand", "CAR", ...POS, "--date-from", "2019-01-01"],
  "sell-out": ["sell-out", "--brand", "CAR", ...POS, "--date-from", "2019-01-01"],
  invoices: ["invoices", "--brand", "CAR", ...POS, "--date-from", "2019-01-01"],
  orders: ["orders", "--brand", "CAR", ...POS, "--date-from", "2019-01-01"]
}

/**
 * What the toolkit offers for a downloaded file of `kind`, in one line: whether it holds personal
 * data, and the counts `booster-mcp`'s `summarize_export_file` gives of it (customers) or that none
 * are offered (the other kinds, whose columns the API does not document).
 */
export const offeredFor = (kind: ExportKind.Any): string => {
  const personal = kind.personalData.carries
    ? "it holds personal data: keep it safe and delete it when done"
    : "it holds no personal data as far as is known"
  const counts =
    kind.name === ExportKind.Customer.name
      ? `booster-mcp's summarize_export_file offers approximate counts (never values) by ${SummaryScanner.DIMENSIONS.map((d) => d.label).join(", ")}`
      : `no summary counts are offered for ${kind.label} files: their columns are not documented by the API`
  return `A ${kind.label} export file: ${personal}; ${counts}.`
}

const runExport = Command.run(Command.make("booster").pipe(Command.withSubcommands([exportCommand])), {
  name: "booster",
  version: "demo"
})

const options = {
  kind: Options.choice("kind", ExportKind.names).pipe(
    Options.withPseudoName("KIND"),
    Options.withDescription(Common.kindDescription),
    Options.withDefault("customers" as ExportKind.Name)
  ),
  output: Options.text("output").pipe(
    Options.withPseudoName("PATH"),
    Options.withAlias("o"),
    Options.withDescription(
      "Folder to write the file in, or - for stdout (default: BOOSTER_EXPORT_DIR, else a temporary folder)."
    ),
    Options.optional
  ),
  customers: Options.integer("customers").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Synthetic customers (of a customer export)."),
    Options.withDefault(20_000)
  ),
  taskSeconds: Options.float("task-seconds").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription("Seconds the export task takes."),
    Options.withDefault(4)
  )
}

/**
 * Runs the rest of this process on its own: state (journal, record of downloads, fingerprint key) and
 * configuration (profiles) in `folder`, and none of the user's `BOOSTER_*` settings but the export
 * folder and the log level.
 */
const isolate = (folder: string): void => {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("BOOSTER_") && name !== "BOOSTER_EXPORT_DIR" && name !== "BOOSTER_LOG") {
      delete process.env[name]
    }
  }
  process.env.XDG_STATE_HOME = join(folder, "state")
  process.env.XDG_CONFIG_HOME = join(folder, "config")
}

/** The `demo` command. */
export const demoCommand = Command.make("demo", options, (opts) =>
  Effect.gen(function* () {
    const { Sandbox } = yield* loadSandbox()
    const kind = ExportKind.byName(opts.kind)
    const sandbox = yield* Effect.acquireRelease(
      Effect.promise(() =>
        Sandbox.start({
          // another kind's demo needs no customers beyond a few
          customers: opts.kind === "customers" ? opts.customers : 100,
          taskDurationMs: Math.round(opts.taskSeconds * 1000)
        })
      ),
      (running) => Effect.promise(() => running.close())
    )
    const output = Option.getOrElse(
      opts.output,
      () => process.env.BOOSTER_EXPORT_DIR?.trim() || join(tmpdir(), "booster-demo")
    )
    // `-` is the export's stdout, not a folder to make
    if (output !== "-") yield* Effect.promise(() => mkdir(output, { recursive: true }))
    const scratch = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "booster-demo-state-"))),
      (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
    )
    isolate(scratch)
    process.env.BOOSTER_BASE_URL = sandbox.baseUrl
    process.env.BOOSTER_API_KEY = sandbox.apiKey
    const args = [...demoExports[opts.kind], "--yes", "--force", "--output", output]
    yield* Term.err(
      kind.name === ExportKind.Customer.name
        ? Term.line`${Term.bold("Sandbox")} ${sandbox.baseUrl} with ${opts.customers.toLocaleString("en-GB")} synthetic customers.`
        : Term.line`${Term.bold("Sandbox")} ${sandbox.baseUrl} with synthetic ${kind.label} data.`
    )
    yield* Term.err(
      Term.dim(
        "The demo's export is not recorded in your journal, audit trail or retention list: delete its file when you are done."
      )
    )
    yield* Term.err(Term.line`${Term.bold("Running")} booster export ${args.join(" ")}`)
    yield* runExport(["node", "booster", "export", ...args])
    yield* Term.err(Term.line`${Term.bold("Summary:")} ${offeredFor(kind)}`)
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Start the embedded sandbox and run a real export against it end to end (customers, or the kind --kind names): the description, progress, the download, a summary naming the file and what is offered for it. Nothing to configure."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster demo"),
      HelpDoc.p("  booster demo --kind stock"),
      HelpDoc.p("  booster demo --output ./exports --customers 100000")
    ])
  )
)
