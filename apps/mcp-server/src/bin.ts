#!/usr/bin/env node
/**
 * `booster-mcp`: reads the command line and environment, picks the runtime services (the real API
 * from the environment, or the embedded sandbox) and serves MCP over stdio or Streamable HTTP.
 *
 * Start-up loads only the MCP SDK and the tools' wire descriptions (written next to the bundle by
 * the build); the tools, Effect, the API client and the sandbox are loaded when a tool is first called.
 */
import { readFileSync } from "node:fs"
import type { Tool as WireTool } from "@modelcontextprotocol/server"
import type { Either } from "effect"
import type { Problem, Resolved } from "./config/resolve.js"
import * as Log from "./logging/log.js"
import { type Options, parse, UsageError, usage } from "./options/options.js"
import type { Dispatch } from "./server/make-server.js"
import { serve } from "./server/serve.js"
import type { Dispatcher } from "./tools/dispatch.js"
import { VERSION } from "./version.js"

/** The tools' wire descriptions: the file the build writes, else computed from the definitions. */
const loadListing = async (): Promise<ReadonlyArray<WireTool>> => {
  try {
    return JSON.parse(
      readFileSync(new URL("./tools.json", import.meta.url), "utf8")
    ) as ReadonlyArray<WireTool>
  } catch {
    const { listing } = await import("./tools/listing.js")
    return listing()
  }
}

/** The settings of the tools, resolved once (profile, connection, folders), or why they cannot be. */
let resolving: Promise<Either.Either<Resolved, Problem>> | undefined
const settingsOf = (options: Options): Promise<Either.Either<Resolved, Problem>> => {
  resolving ??= Promise.all([import("effect"), import("./config/resolve.js")]).then(([{ Effect }, Config]) =>
    Effect.runPromise(Effect.either(Config.resolve(options, process.env)))
  )
  return resolving
}

/** The services of the tools: the API (the configured one or the sandbox), the journal and the settings. */
const dispatcher = async (options: Options, log: Log.Log): Promise<Dispatcher> => {
  const [{ Effect, Layer, Logger, LogLevel }, { Api }, { Settings }, Catalog, Dispatch, resolved] =
    await Promise.all([
      import("effect"),
      import("./booster/api.js"),
      import("./tools/settings.js"),
      import("./tools/catalog.js"),
      import("./tools/dispatch.js"),
      settingsOf(options)
    ])
  if (resolved._tag === "Left") {
    // a profile or setting that cannot be used: no tool runs, as the journal, the export folder or
    // the credentials it names are unknown
    const problem = resolved.left
    log.warn(`configuration: ${problem.message}`)
    return Dispatch.refuseAll(
      `The server's configuration cannot be used (${problem.field}): ${problem.message}; nothing was sent.\nNext step: tell the user: ${problem.hint}`
    )
  }
  const settings = resolved.right
  const live = Effect.promise(() => import("./booster/live.js"))
  const api = options.sandbox
    ? Api.lazy(
        Effect.flatMap(live, (m) =>
          m.fromSandbox(options.stateDir, (baseUrl) => log.info(`sandbox API at ${baseUrl}`))
        ),
        (error) => error
      )
    : Api.lazy(
        Effect.flatMap(live, (m) => m.fromConnection(settings.connection, process.env, options.stateDir)),
        (error) => error
      )
  const level = { debug: LogLevel.Debug, info: LogLevel.Info, warn: LogLevel.Warning, error: LogLevel.Error }
  const services = Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
    Logger.minimumLogLevel(level[options.logLevel]),
    api,
    // with a team journal in PostgreSQL, confirmations and the summaries' privacy budget live there
    // too: any replica accepts a confirmation, once, and the budget is the team's
    Catalog.journalAndConsent(
      options.stateDir,
      settings.journalUrl,
      options.consent,
      options.confirmationMinutes * 60_000
    ),
    Catalog.downloads(options.stateDir),
    Catalog.starts(options.stateDir),
    Catalog.fingerprintKey(options.stateDir),
    Catalog.schedules(options.stateDir, settings.journalUrl),
    Settings.layer({
      exportDir: settings.exportDir,
      dedupeWindowMs: options.dedupeWindowMinutes * 60_000,
      retentionDays: settings.retentionDays,
      summary: {
        epsilon: options.summaryEpsilon,
        epsilonPerDay: options.summaryEpsilonPerDay,
        maxListValues: options.summaryListValues
      }
    })
  )
  return Dispatch.make(Catalog.all, services)
}

/** How long after start the first purge of expired downloads runs. */
const PURGE_DELAY_MS = 2_000

const main = async (): Promise<number> => {
  console.log = console.error
  console.info = console.error
  console.debug = console.error
  let options: Options
  try {
    options = parse(process.argv.slice(2), process.env)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`booster-mcp: ${error.message}\n\n${usage}`)
      return 2
    }
    throw error
  }
  if (options.help) {
    process.stdout.write(usage)
    return 0
  }
  if (options.version) {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  const log = Log.make(options.logLevel)
  const listing = await loadListing()
  const tools = options.readOnly ? listing.filter((tool) => tool.annotations?.readOnlyHint === true) : listing
  const withheld = listing.filter((tool) => !tools.includes(tool)).map((tool) => tool.name)
  let loaded: Promise<Dispatcher> | undefined
  const dispatch = (): Promise<Dispatch> => {
    loaded ??= dispatcher(options, log)
    return loaded.then((d) => d.dispatch)
  }
  // retention: expired downloads are purged shortly after start (not to slow the first answers)
  // and then daily; a read-only server deletes nothing
  let stopPurging: (() => Promise<void>) | undefined
  // signed checkpoints of the journal's head, shortly after start and then hourly, when configured
  let stopCheckpoints: (() => Promise<void>) | undefined
  const checkpointDir = options.checkpointDir
  const checkpointTimer =
    checkpointDir === undefined
      ? undefined
      : setTimeout(() => {
          void import("./retention/checkpoint.js").then((m) => {
            stopCheckpoints = m.schedule(options, checkpointDir, log)
          })
        }, PURGE_DELAY_MS)
  const purgeTimer = options.readOnly
    ? undefined
    : setTimeout(() => {
        void Promise.all([import("./retention/purge.js"), settingsOf(options)]).then(([m, resolved]) => {
          // unusable settings are reported by every tool call; nothing is purged meanwhile
          if (resolved._tag === "Right") stopPurging = m.schedule({ ...options, ...resolved.right }, log)
        })
      }, PURGE_DELAY_MS)
  await serve({ options, tools, withheld, dispatch, log })
  if (purgeTimer !== undefined) clearTimeout(purgeTimer)
  if (checkpointTimer !== undefined) clearTimeout(checkpointTimer)
  await stopPurging?.()
  await stopCheckpoints?.()
  if (loaded !== undefined) await (await loaded).dispose()
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`booster-mcp: ${error instanceof Error ? error.message : "failed to start"}\n`)
    process.exit(1)
  }
)
