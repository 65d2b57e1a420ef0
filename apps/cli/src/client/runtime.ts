/**
 * The Booster client built from resolved settings. This module (and transport with it) is loaded
 * only by the commands that talk to the API, so that `--help` and usage errors start fast.
 */
import { BoosterClient, type BoosterError } from "@booster-export/transport"
import { Context, Effect, Layer, type Scope } from "effect"
import type { Settings } from "../config/profiles.js"
import { authOf, type Extra, optionsOf } from "./options.js"

/** The client service. */
export type Client = BoosterClient.Service

/**
 * Builds the client for the life of the enclosing scope (its connection pool closes with it); fails
 * with `InvalidConfigError` for an unusable base URL.
 */
export const make = (
  settings: Settings,
  extra: Extra = {}
): Effect.Effect<Client, BoosterError.InvalidConfigError, Scope.Scope> =>
  Effect.flatMap(authOf(settings), (auth) =>
    Effect.map(Layer.build(BoosterClient.layer(optionsOf(settings, auth, extra))), (context) =>
      Context.get(context, BoosterClient.BoosterClient)
    )
  )
