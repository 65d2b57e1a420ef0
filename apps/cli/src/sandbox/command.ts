/**
 * `booster sandbox`: runs the embedded Booster2 simulator in the foreground and prints its base URL
 * and demo key, until Ctrl-C.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { UsageError } from "../output/errors.js"
import * as Term from "../output/terminal.js"

const options = {
  port: Options.integer("port").pipe(
    Options.withPseudoName("PORT"),
    Options.withDescription("API port (default: a free port)."),
    Options.optional
  ),
  storagePort: Options.integer("storage-port").pipe(
    Options.withPseudoName("PORT"),
    Options.withDescription("Download (storage) port (default: a free port)."),
    Options.optional
  ),
  customers: Options.integer("customers").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Number of synthetic customers."),
    Options.withDefault(10_000)
  ),
  taskSeconds: Options.float("task-seconds").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription("Seconds a task takes from REQ to COM (0 = at once)."),
    Options.withDefault(3)
  ),
  faults: Options.text("faults").pipe(
    Options.withPseudoName("SPEC"),
    Options.withDescription("Faults to inject, e.g. export:503x2,download:truncate,task:429@2s."),
    Options.optional
  ),
  json: Options.boolean("json").pipe(
    Options.withDescription("Print {baseUrl, storageUrl, apiKey, tokenUrl} as one JSON line.")
  )
}

/** Loads the sandbox package on demand. */
export const loadSandbox = () => Effect.promise(() => import("@booster-export/sandbox"))

/** The `sandbox` command. */
export const sandboxCommand = Command.make("sandbox", options, (opts) =>
  Effect.gen(function* () {
    const { Faults, Sandbox } = yield* loadSandbox()
    const faults = yield* Option.match(opts.faults, {
      onNone: () => Effect.succeed([]),
      onSome: (text) =>
        Effect.try({
          try: () => Faults.parse(text),
          catch: (error) =>
            new UsageError({
              message: `--faults is not valid: ${error instanceof Error ? error.message : String(error)}`,
              hint: "Write route:fault tokens separated by commas, e.g. export:503x2,download:truncate."
            })
        })
    })
    const sandbox = yield* Effect.acquireRelease(
      Effect.promise(() =>
        Sandbox.start({
          ...Option.match(opts.port, { onNone: () => ({}), onSome: (port) => ({ port }) }),
          ...Option.match(opts.storagePort, {
            onNone: () => ({}),
            onSome: (storagePort) => ({ storagePort })
          }),
          customers: opts.customers,
          taskDurationMs: Math.round(opts.taskSeconds * 1000),
          faults
        })
      ),
      (running) => Effect.promise(() => running.close())
    )
    if (opts.json) {
      yield* Term.json({
        baseUrl: sandbox.baseUrl,
        storageUrl: sandbox.storageUrl,
        apiKey: sandbox.apiKey,
        tokenUrl: sandbox.tokenUrl
      })
    } else {
      yield* Term.out(`export BOOSTER_BASE_URL=${sandbox.baseUrl}`)
      yield* Term.out(`export BOOSTER_API_KEY=${sandbox.apiKey}`)
      yield* Term.err(
        Term.dim(
          `Sandbox listening (storage ${sandbox.storageUrl}); paste the lines above in another shell. Ctrl-C stops it.\n` +
            `To try OAuth2 instead of the key: BOOSTER_OAUTH2_TOKEN_URL=${sandbox.tokenUrl}, any BOOSTER_OAUTH2_CLIENT_ID, the key as BOOSTER_OAUTH2_CLIENT_SECRET.`
        )
      )
    }
    return yield* Effect.never
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Run the embedded Booster2 simulator (synthetic data for all six exports, tasks, signed downloads, fault injection) in the foreground. It prints its base URL and demo key as shell lines."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster sandbox --port 8080 --customers 100000 --task-seconds 10"),
      HelpDoc.p("  booster sandbox --faults export:503x2,download:truncate")
    ])
  )
)
