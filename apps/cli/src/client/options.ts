/**
 * The client options a command's settings give: the credentials and transport's options. Light (no
 * HTTP client): the dry run uses them without loading the network stack.
 */
import type { Fingerprint } from "@booster-export/core"
import type * as Auth from "@booster-export/transport/Auth"
import * as BoosterConfig from "@booster-export/transport/BoosterConfig"
import type * as BoosterError from "@booster-export/transport/BoosterError"
import * as Profiles from "@booster-export/transport/Profiles"
import type { Either } from "effect"
import type { Settings } from "../config/profiles.js"

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
