/**
 * The real clients: over the transport to the API named by the environment, or to an embedded
 * sandbox started for the server. Loaded only when a tool first needs the API, so that starting the
 * server and listing its tools stay fast.
 */
import { Sandbox } from "@booster-export/sandbox"
import { Auth, BoosterClient, BoosterConfig, FingerprintKey } from "@booster-export/transport"
import * as Profiles from "@booster-export/transport/Profiles"
import { Context, Effect, Either, Layer, Redacted, type Scope } from "effect"
import { type ApiUnavailable, type Connection, unavailable } from "./api.js"

/** A client whose fingerprints use the key the tools use (`BOOSTER_FINGERPRINT_KEY_FILE`, else the install's). */
const clientFrom = (
  options: BoosterConfig.Options,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env
): Effect.Effect<Connection, ApiUnavailable, Scope.Scope> =>
  FingerprintKey.load({ env, directory: stateDir }).pipe(
    Effect.flatMap(({ key }) => Layer.build(BoosterClient.layer({ ...options, fingerprintKey: key }))),
    Effect.map((context) => ({
      client: Context.get(context, BoosterClient.BoosterClient),
      host: new URL(options.baseUrl).host
    })),
    Effect.mapError((error) => unavailable(error.message, error.hint))
  )

/**
 * A client of the API `connection` names (transport's `Profiles.connection`: `BOOSTER_BASE_URL` or
 * the profile's base URL; the API key of `BOOSTER_API_KEY`, `BOOSTER_API_KEY_FILE` or the profile's
 * key file), or the basic or OAuth2 client credentials of `env` (`Profiles.auth`).
 */
export const fromConnection = (
  connection: Profiles.Connection,
  env: NodeJS.ProcessEnv,
  stateDir: string
): Effect.Effect<Connection, ApiUnavailable, Scope.Scope> => {
  const baseUrl = connection.baseUrl
  if (baseUrl === undefined) {
    return Effect.fail(
      unavailable(
        connection.profile === undefined
          ? "BOOSTER_BASE_URL is not set, and no profile names the API."
          : `BOOSTER_BASE_URL is not set, and the profile ${connection.profile} has no baseUrl.`,
        "Set BOOSTER_BASE_URL and the credentials (BOOSTER_API_KEY_FILE naming a file only you can read, or " +
          "BOOSTER_API_KEY, or BOOSTER_BASIC_*, or BOOSTER_OAUTH2_*) in the MCP server's environment, or name a " +
          "profile made with `booster config set` (--profile or BOOSTER_PROFILE); or start booster-mcp with " +
          "--sandbox to try it without credentials."
      )
    )
  }
  const auth = Profiles.auth(connection.key, env)
  if (Either.isLeft(auth)) return Effect.fail(unavailable(auth.left.message, auth.left.hint))
  const logLevel = BoosterConfig.parseLogLevel(env.BOOSTER_LOG)
  return clientFrom(
    {
      baseUrl,
      auth: auth.right,
      headers: connection.headers,
      allowInsecureHttp: connection.allowInsecureHttp,
      ...(logLevel !== undefined ? { logLevel } : {})
    },
    stateDir,
    env
  )
}

/** A client of a sandbox started now and closed with the server. */
export const fromSandbox = (
  stateDir: string,
  onStarted: (baseUrl: string) => void
): Effect.Effect<Connection, ApiUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => Sandbox.start(),
      catch: () =>
        unavailable(
          "the embedded sandbox could not start.",
          "Restart booster-mcp; run it with BOOSTER_LOG=debug for details."
        )
    }),
    (running) => Effect.promise(() => running.close())
  ).pipe(
    Effect.tap((running) => onStarted(running.baseUrl)),
    Effect.flatMap((running) =>
      clientFrom({ baseUrl: running.baseUrl, auth: Auth.bearer(Redacted.make(running.apiKey)) }, stateDir)
    )
  )
