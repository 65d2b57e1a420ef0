/**
 * Scheduled Booster2 exports on a durable engine.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Destination from "./Destination.js"
/** @since 0.1.0 */
export * as Engine from "./Engine.js"
/** @since 0.1.0 */
export * as ExportSchedule from "./ExportSchedule.js"
/** @since 0.1.0 */
export * as RunDue from "./RunDue.js"
/** @since 0.1.0 */
export * as ScheduledRun from "./ScheduledRun.js"
/** @since 0.1.0 */
export * as ScheduleStore from "./ScheduleStore.js"
