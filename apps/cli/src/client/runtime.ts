/**
 * The Booster client built from resolved settings. This module (and transport with it) is loaded
 * only by the commands that talk to the API, so that `--help` and usage errors start fast.
 */
import { Auth, BoosterClient, BoosterConfig, type BoosterError } from "@booster-export/transport"
import * as HttpClient from "@effect/platform/HttpClient"
import { Context, Effect, Layer, type Scope } from "effect"
import type { Settings } from "../config/profiles.js"

/** The client service. */
export type Client = BoosterClient.Service

const logLevelOf = (raw: string | undefined) => {
  const level = BoosterConfig.parseLogLevel(raw)
  return level !== undefined ? { logLevel: level } : {}
}

/** Transport options from the settings (secrets stay `Redacted`). */
export const optionsOf = (settings: Settings, extra: { readonly pollMaxMs?: number } = {}) => ({
  baseUrl: settings.baseUrl ?? "",
  allowInsecureHttp: settings.allowInsecureHttp,
  auth:
    settings.key === undefined
      ? Auth.none
      : settings.key.header !== undefined
        ? Auth.apiKeyHeader(settings.key.header, settings.key.key)
        : Auth.bearer(settings.key.key),
  headers: settings.headers,
  ...logLevelOf(process.env.BOOSTER_LOG),
  ...(extra.pollMaxMs !== undefined
    ? { poll: { initialMs: Math.min(1000, extra.pollMaxMs), maxMs: extra.pollMaxMs } }
    : {})
})

/**
 * Builds the client for the life of the enclosing scope (its connection pool closes with it); fails
 * with `InvalidConfigError` for an unusable base URL.
 */
export const make = (
  settings: Settings,
  extra: { readonly pollMaxMs?: number } = {}
): Effect.Effect<Client, BoosterError.InvalidConfigError, Scope.Scope> =>
  Effect.map(Layer.build(BoosterClient.BoosterClient.layer(optionsOf(settings, extra))), (context) =>
    Context.get(context, BoosterClient.BoosterClient)
  )

/**
 * An `HttpClient` that sends nothing: a dry run's client is built over it, so that showing the
 * request never loads the network stack, and any attempt to send would be a defect.
 */
const offline = HttpClient.make(() => Effect.dieMessage("a dry run sends no request"))

/** Builds a client that can only prepare requests (`dryRun`); it never reaches the network. */
export const makeOffline = (settings: Settings): Effect.Effect<Client, BoosterError.InvalidConfigError> =>
  BoosterClient.make(optionsOf(settings)).pipe(Effect.provideService(HttpClient.HttpClient, offline))
