/**
 * `@booster-export/core`: the pure domain of Booster2 exports — Effect Schema models of the
 * requests and tasks, validation with every problem reported at once, normalisation, wire encoding,
 * plain-English descriptions, fingerprints and generated JSON Schema. No I/O.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as ApiMetadata from "./ApiMetadata.js"
/** @since 0.1.0 */
export * as Describe from "./Describe.js"
/** @since 0.1.0 */
export * as DiscreteLaplace from "./DiscreteLaplace.js"
/** @since 0.1.0 */
export * as ExportFilter from "./ExportFilter.js"
/** @since 0.1.0 */
export * as ExportKind from "./ExportKind.js"
/** @since 0.1.0 */
export * as Field from "./Field.js"
/** @since 0.1.0 */
export * as FilterSpec from "./FilterSpec.js"
/** @since 0.1.0 */
export * as Fingerprint from "./Fingerprint.js"
/** @since 0.1.0 */
export * as JsonSchema from "./JsonSchema.js"
/** @since 0.1.0 */
export * as PrivateSummary from "./PrivateSummary.js"
/** @since 0.1.0 */
export * as RelativeDate from "./RelativeDate.js"
/** @since 0.1.0 */
export * as Summary from "./Summary.js"
/** @since 0.1.0 */
export * as SummaryScanner from "./SummaryScanner.js"
/** @since 0.1.0 */
export * as Task from "./Task.js"
/** @since 0.1.0 */
export * as Validation from "./Validation.js"
/** @since 0.1.0 */
export * as WireFormat from "./WireFormat.js"
