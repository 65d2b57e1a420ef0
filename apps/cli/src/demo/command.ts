/**
 * `booster demo`: starts the embedded sandbox and runs a real customer export through `booster
 * export` end to end — description, progress, download and a summary naming the file. The demo is
 * not the user's record: it runs with a throw-away state and configuration folder and none of the
 * user's settings (no profile, no team journal, no keys), removed when it ends, so that its export
 * is in no journal, audit trail or retention list.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { exportCommand } from "../export/command.js"
import * as Term from "../output/terminal.js"
import { loadSandbox } from "../sandbox/command.js"

/** The export the demo runs (flags of `booster export`). */
export const demoExportArgs: ReadonlyArray<string> = [
  "--brand",
  "CAR",
  "--pos-code",
  "IT100",
  "--pos-code",
  "FR100",
  "--pos-code",
  "ES100",
  "--customer-status",
  "Client",
  "--creation-date-from",
  "2019-01-01",
  "--yes"
]

const runExport = Command.run(Command.make("booster").pipe(Command.withSubcommands([exportCommand])), {
  name: "booster",
  version: "demo"
})

const options = {
  output: Options.text("output").pipe(
    Options.withPseudoName("PATH"),
    Options.withAlias("o"),
    Options.withDescription(
      "Where to write the file (default: BOOSTER_EXPORT_DIR, else a temporary folder)."
    ),
    Options.optional
  ),
  customers: Options.integer("customers").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Synthetic customers."),
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
    const sandbox = yield* Effect.acquireRelease(
      Effect.promise(() =>
        Sandbox.start({ customers: opts.customers, taskDurationMs: Math.round(opts.taskSeconds * 1000) })
      ),
      (running) => Effect.promise(() => running.close())
    )
    const output = Option.getOrElse(
      opts.output,
      () => process.env.BOOSTER_EXPORT_DIR?.trim() || join(tmpdir(), "booster-demo")
    )
    yield* Effect.promise(() => mkdir(output, { recursive: true }))
    const scratch = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "booster-demo-state-"))),
      (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
    )
    isolate(scratch)
    process.env.BOOSTER_BASE_URL = sandbox.baseUrl
    process.env.BOOSTER_API_KEY = sandbox.apiKey
    const args = [...demoExportArgs, "--force", "--output", output]
    yield* Term.err(
      Term.line`${Term.bold("Sandbox")} ${sandbox.baseUrl} with ${opts.customers.toLocaleString("en-GB")} synthetic customers.`
    )
    yield* Term.err(
      Term.dim(
        "The demo's export is not recorded in your journal, audit trail or retention list: delete its file when you are done."
      )
    )
    yield* Term.err(Term.line`${Term.bold("Running")} booster export ${args.join(" ")}`)
    yield* runExport(["node", "booster", "export", ...args])
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Start the embedded sandbox and run a real customer export against it end to end: the description, progress, the download and a summary naming the file. Nothing to configure."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster demo"),
      HelpDoc.p("  booster demo --output ./exports --customers 100000")
    ])
  )
)
