/**
 * The Booster client built from resolved settings. This module (and transport with it) is loaded
 * only by the commands that talk to the API, so that `--help` and usage errors start fast.
 */
import { Auth, BoosterClient, type BoosterError } from "@booster-export/transport"
import { Effect } from "effect"
import type { Settings } from "../config/profiles.js"

/** The client service. */
export type Client = BoosterClient.Service

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
  ...(extra.pollMaxMs !== undefined
    ? { poll: { initialMs: Math.min(1000, extra.pollMaxMs), maxMs: extra.pollMaxMs } }
    : {})
})

/** Builds the client; fails with `InvalidConfigError` for an unusable base URL. */
export const make = (
  settings: Settings,
  extra: { readonly pollMaxMs?: number } = {}
): Effect.Effect<Client, BoosterError.InvalidConfigError> =>
  BoosterClient.make(optionsOf(settings, extra)).pipe(Effect.provide(BoosterClient.httpLayer))
