#!/usr/bin/env node
/**
 * `booster-mcp`: reads the command line and environment, picks the runtime services (the real API
 * from the environment, or the embedded sandbox) and serves MCP over stdio or Streamable HTTP.
 */
import { Sandbox } from "@booster-export/sandbox"
import { Auth, BoosterClient, BoosterConfig } from "@booster-export/transport"
import { Context, Effect, Either, Layer, Logger, LogLevel, Redacted } from "effect"
import { Api, checkOptions, unavailable } from "./booster/api.js"
import { Journal } from "./journal/journal.js"
import * as Log from "./logging/log.js"
import { type Options, parse, UsageError, usage } from "./options/options.js"
import { serve } from "./server/serve.js"
import { Settings } from "./tools/settings.js"
import { VERSION } from "./version.js"

const clientFrom = (options: BoosterConfig.Options) =>
  Layer.build(BoosterClient.BoosterClient.layer(options)).pipe(
    Effect.map((context) => Context.get(context, BoosterClient.BoosterClient)),
    Effect.mapError((error) => unavailable(error.message, error.hint))
  )

const sandboxApi = (log: Log.Log): Layer.Layer<Api> =>
  Api.lazy(
    Effect.gen(function* () {
      const sandbox = yield* Effect.acquireRelease(
        Effect.tryPromise(() => Sandbox.start()),
        (running) => Effect.promise(() => running.close())
      )
      log.info(`sandbox API at ${sandbox.baseUrl}`)
      return yield* clientFrom({ baseUrl: sandbox.baseUrl, auth: Auth.bearer(Redacted.make(sandbox.apiKey)) })
    }),
    (error) =>
      error._tag === "ApiUnavailable"
        ? error
        : unavailable(
            "the embedded sandbox could not start.",
            "Restart booster-mcp; run it with BOOSTER_LOG=debug for details."
          )
  )

const environmentApi = (env: NodeJS.ProcessEnv): Layer.Layer<Api> => {
  const fromEnv = BoosterConfig.fromEnv(env)
  const baseUrl = fromEnv.baseUrl
  const checked =
    baseUrl === undefined
      ? Either.left(
          unavailable(
            "BOOSTER_BASE_URL is not set.",
            "Set BOOSTER_BASE_URL and BOOSTER_API_KEY in the MCP server's environment (see the client's MCP configuration), or start booster-mcp with --sandbox to try it without credentials."
          )
        )
      : checkOptions({ ...fromEnv, baseUrl })
  return Api.lazy(
    Either.isLeft(checked) ? Effect.fail(checked.left) : clientFrom(checked.right),
    (error) => error
  )
}

const EFFECT_LEVELS = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error
} as const

const stderrLogging = (options: Options) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
    Logger.minimumLogLevel(EFFECT_LEVELS[options.logLevel])
  )

const services = (options: Options, log: Log.Log) =>
  Layer.mergeAll(
    stderrLogging(options),
    options.sandbox ? sandboxApi(log) : environmentApi(process.env),
    Journal.layer(options.stateDir),
    Settings.layer({ exportDir: options.exportDir, dedupeWindowMs: options.dedupeWindowMinutes * 60_000 })
  )

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
  await serve(options, services(options, log), log, options.sandbox)
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`booster-mcp: ${error instanceof Error ? error.message : "failed to start"}\n`)
    process.exit(1)
  }
)
