/**
 * `@booster-export/journal`: the journal of exports shared by `booster`, `booster-mcp` and programs —
 * the local file and its start lock, the audit chain and its signed checkpoints, this install's own
 * records of starts and downloads, the purpose rule, retention, single-use consent tokens, the
 * privacy budget of summaries — and the flows built on it: the guarded start of an export and the
 * record of a download.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AuditTrail from "./AuditTrail.js"
/** @since 0.1.0 */
export * as Checkpoint from "./Checkpoint.js"
/** @since 0.1.0 */
export * as ConsentTokens from "./ConsentTokens.js"
/** @since 0.1.0 */
export * as Downloads from "./Downloads.js"
/** @since 0.1.0 */
export * as GuardedStart from "./GuardedStart.js"
/** @since 0.1.0 */
export * as Journal from "./Journal.js"
/** @since 0.1.0 */
export * as PrivacyBudget from "./PrivacyBudget.js"
/** @since 0.1.0 */
export * as Purpose from "./Purpose.js"
/** @since 0.1.0 */
export * as RecordDownload from "./RecordDownload.js"
/** @since 0.1.0 */
export * as Retention from "./Retention.js"
/** @since 0.1.0 */
export * as Starts from "./Starts.js"
