/**
 * The request an export start would send, prepared without a network stack: the filter validated,
 * the URL, the headers (secrets shown as `<redacted>`) and the body, exactly as
 * `BoosterClient.dryRun` shows them. For programs that only show requests (a command line's
 * `--dry-run`) and should not load the HTTP client.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import type * as BoosterClient from "./BoosterClient.js"
import * as BoosterConfig from "./BoosterConfig.js"
import type * as BoosterError from "./BoosterError.js"
import * as FingerprintKey from "./FingerprintKey.js"
import * as Request from "./internal/request.js"

/**
 * The request that would be sent (see `BoosterClient.DryRun`).
 *
 * @category models
 * @since 0.1.0
 */
export type DryRun = Request.DryRun

/**
 * Options of {@link make}: the id to send (see `BoosterClient.StartOptions`).
 *
 * @category options
 * @since 0.1.0
 */
export type StartOptions = Request.StartOptions

/**
 * The request `startExport` would send for the same kind and input with these client options;
 * sends nothing and loads no HTTP client. Called as `BoosterClient.dryRun` is, with the client's
 * options first: `make(options, filter)` for customers, `make(options, "stock", filter)` for
 * another kind, the input typed by the kind. Fails with `InvalidConfigError` for unusable options
 * (as building the client does) or when no fingerprint key is given and the default one cannot be
 * loaded, and with `ValidationError` for an invalid filter or a name that is no kind's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: {
  <K extends BoosterClient.Kind>(
    options: BoosterConfig.Options,
    kind: K,
    input: BoosterClient.ExportInput<K>,
    startOptions?: StartOptions
  ): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError>
  (
    options: BoosterConfig.Options,
    input: BoosterClient.ExportInput,
    startOptions?: StartOptions
  ): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError>
} = (
  options: BoosterConfig.Options,
  ...args: ReadonlyArray<unknown>
): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError> =>
  Either.match(Request.readCall(args), {
    onLeft: Effect.fail,
    onRight: ({ input, kind, rest: [startOptions] }) =>
      Effect.flatMap(BoosterConfig.resolve(options), (config) =>
        Request.dryRun(
          config,
          config.fingerprintKey !== undefined
            ? Effect.succeed(config.fingerprintKey)
            : Effect.map(FingerprintKey.load(), (loaded) => loaded.key),
          kind,
          input,
          startOptions as StartOptions | undefined
        )
      )
  })
