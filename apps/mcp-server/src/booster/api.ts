/**
 * Access to the Booster API for the tools: the transport's client, built on first use (so listing
 * tools or previewing never needs a configured API), or a clear account of why there is none.
 */
import type { BoosterClient } from "@booster-export/transport"
import { Context, Data, Effect, Layer, Scope } from "effect"

/** The transport's client service. */
export type Client = BoosterClient.Service

/** No API is usable: not configured, or the configuration is invalid. */
export class ApiUnavailable extends Data.TaggedError("ApiUnavailable")<{
  readonly message: string
  readonly hint: string
}> {}

/** A client and the host of the API it talks to (the journal keys starts by host). */
export interface Connection {
  readonly client: Client
  readonly host: string
}

/** The API as the tools see it. */
export class Api extends Context.Tag("@booster-export/mcp-server/Api")<
  Api,
  {
    /** The client and its API host; built once, on first use, and kept for the life of the server. */
    readonly connection: Effect.Effect<Connection, ApiUnavailable>
  }
>() {
  /**
   * An API whose client is built, on first use, by `build` in the server's scope (so a sandbox
   * started for it lives as long as the server).
   */
  static readonly lazy = <E>(
    build: Effect.Effect<Connection, E, Scope.Scope>,
    explain: (error: E) => ApiUnavailable
  ): Layer.Layer<Api> =>
    Layer.scoped(
      Api,
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const connection = yield* Effect.cached(build.pipe(Scope.extend(scope), Effect.mapError(explain)))
        return { connection }
      })
    )
}

/** A {@link ApiUnavailable} for an invalid or missing configuration. */
export const unavailable = (message: string, hint: string): ApiUnavailable =>
  new ApiUnavailable({ message, hint })
