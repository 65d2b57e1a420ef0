/**
 * The Booster client built from resolved settings. This module (and transport with it) is loaded
 * only by the commands that talk to the API, so that `--help` and usage errors start fast.
 */
import type { Fingerprint } from "@booster-export/core"
import { type Auth, BoosterClient, BoosterConfig, type BoosterError } from "@booster-export/transport"
import * as Profiles from "@booster-export/transport/Profiles"
import * as HttpClient from "@effect/platform/HttpClient"
import { Context, Effect, type Either, Layer, type Scope } from "effect"
import type { Settings } from "../config/profiles.js"

/** The client service. */
export type Client = BoosterClient.Service

const logLevelOf = (raw: string | undefined) => {
  const level = BoosterConfig.parseLogLevel(raw)
  return level !== undefined ? { logLevel: level } : {}
}

/**
 * The credentials: an API key named by `--api-key-file` first; then HTTP basic or OAuth2 client
 * credentials given by the environment over a profile's key file; then the settings' API key
 * (transport's `Profiles.auth`, shared with `booster-mcp`).
 */
export const authOf = (
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env
): Either.Either<Auth.Auth, BoosterError.InvalidConfigError> => Profiles.auth(settings.key, env)

/** What a command adds to the settings: a polling cap, the fingerprint key it fingerprints with. */
export interface Extra {
  readonly pollMaxMs?: number
  readonly fingerprintKey?: Fingerprint.Key
}

/** Transport options from the settings (secrets stay `Redacted`). */
export const optionsOf = (settings: Settings, auth: Auth.Auth, extra: Extra = {}) => ({
  baseUrl: settings.baseUrl ?? "",
  allowInsecureHttp: settings.allowInsecureHttp,
  auth,
  headers: settings.headers,
  ...logLevelOf(process.env.BOOSTER_LOG),
  ...(extra.fingerprintKey !== undefined ? { fingerprintKey: extra.fingerprintKey } : {}),
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
  extra: Extra = {}
): Effect.Effect<Client, BoosterError.InvalidConfigError, Scope.Scope> =>
  Effect.flatMap(authOf(settings), (auth) =>
    Effect.map(Layer.build(BoosterClient.BoosterClient.layer(optionsOf(settings, auth, extra))), (context) =>
      Context.get(context, BoosterClient.BoosterClient)
    )
  )

/**
 * An `HttpClient` that sends nothing: a dry run's client is built over it, so that showing the
 * request never loads the network stack, and any attempt to send would be a defect.
 */
const offline = HttpClient.make(() => Effect.dieMessage("a dry run sends no request"))

/** Builds a client that can only prepare requests (`dryRun`); it never reaches the network. */
export const makeOffline = (
  settings: Settings,
  extra: Extra = {}
): Effect.Effect<Client, BoosterError.InvalidConfigError> =>
  Effect.flatMap(authOf(settings), (auth) => BoosterClient.make(optionsOf(settings, auth, extra))).pipe(
    Effect.provideService(HttpClient.HttpClient, offline)
  )
