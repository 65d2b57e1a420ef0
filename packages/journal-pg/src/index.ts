/**
 * `@booster-export/journal-pg`: the journal of a team in PostgreSQL — the same entries, audit chain
 * and start lock as `@booster-export/journal`'s local file, and the consent tokens, shared by every
 * machine and process using the database.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as PgJournal from "./PgJournal.js"
