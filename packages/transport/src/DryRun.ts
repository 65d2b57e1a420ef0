/**
 * The request an export start would send, prepared without a network stack: the filter validated,
 * the URL, the headers (secrets shown as `<redacted>`) and the body, exactly as
 * `BoosterClient.dryRun` shows them. For programs that only show requests (a command line's
 * `--dry-run`) and should not load the HTTP client.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as BoosterConfig from "./BoosterConfig.js"
import type * as BoosterError from "./BoosterError.js"
import * as FingerprintKey from "./FingerprintKey.js"
import * as Request from "./internal/request.js"

/**
 * The request that would be sent (see `BoosterClient.DryRun`).
 *
 * @since 0.1.0
 */
export type DryRun = Request.DryRun

/**
 * Options of {@link make}: the id to send and the export kind (see `BoosterClient.StartOptions`).
 *
 * @since 0.1.0
 */
export type StartOptions = Request.StartOptions

/**
 * The request `startExport` would send for `input` with these client options; sends nothing and
 * loads no HTTP client. Fails with `InvalidConfigError` for unusable options (as building the
 * client does) or when no fingerprint key is given and the default one cannot be loaded, and with
 * `ValidationError` for an invalid filter.
 *
 * @since 0.1.0
 */
export const make = (
  options: BoosterConfig.Options,
  input: unknown,
  startOptions?: StartOptions
): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError> =>
  Effect.flatMap(BoosterConfig.resolve(options), (config) =>
    Request.dryRun(
      config,
      config.fingerprintKey !== undefined
        ? Effect.succeed(config.fingerprintKey)
        : Effect.map(FingerprintKey.load(), (loaded) => loaded.key),
      input,
      startOptions
    )
  )
