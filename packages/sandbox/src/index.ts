/**
 * `@booster-export/sandbox`: an embedded Booster2 API simulator — HTTP server for the six exports,
 * deterministic synthetic customers, stock, movements, sell-outs, invoices and orders, signed
 * expiring downloads and fault injection — so exports can be tried, demoed and integration-tested
 * without credentials.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Csv from "./Csv.js"
/** @since 0.1.0 */
export * as Customers from "./Customers.js"
/** @since 0.1.0 */
export * as Faults from "./Faults.js"
/** @since 0.1.0 */
export * as Invoices from "./Invoices.js"
/** @since 0.1.0 */
export * as Matcher from "./Matcher.js"
/** @since 0.1.0 */
export * as Movements from "./Movements.js"
/** @since 0.1.0 */
export * as Orders from "./Orders.js"
/** @since 0.1.0 */
export * as Sandbox from "./Sandbox.js"
/** @since 0.1.0 */
export * as SellOuts from "./SellOuts.js"
/** @since 0.1.0 */
export * as Stock from "./Stock.js"
