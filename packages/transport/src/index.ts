/**
 * `@booster-export/transport`: the Booster2 client — pluggable authentication, a written retry
 * policy, duplicate-safe export starts, task following and atomic downloads — as an Effect service
 * and a Promise facade.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Auth from "./Auth.js"
/** @since 0.1.0 */
export * as BoosterClient from "./BoosterClient.js"
/** @since 0.1.0 */
export * as BoosterConfig from "./BoosterConfig.js"
/** @since 0.1.0 */
export * as BoosterError from "./BoosterError.js"
/** @since 0.1.0 */
export * as DryRun from "./DryRun.js"
/** @since 0.1.0 */
export * as ExportToFile from "./ExportToFile.js"
/** @since 0.1.0 */
export * as FingerprintKey from "./FingerprintKey.js"
/** @since 0.1.0 */
export * as Profiles from "./Profiles.js"
/** @since 0.1.0 */
export * as Promise from "./Promise.js"
/** @since 0.1.0 */
export * as Redact from "./Redact.js"
/** @since 0.1.0 */
export * as Retry from "./Retry.js"
/** @since 0.1.0 */
export * as Scrub from "./Scrub.js"
/** @since 0.1.0 */
export * as StateDirectory from "./StateDirectory.js"
/** @since 0.1.0 */
export * as UrlPolicy from "./UrlPolicy.js"
