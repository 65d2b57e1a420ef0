/**
 * What the first version (the journal inside `@booster-export/transport`) wrote into the fixtures
 * `journal/test/fixtures/journal-v0/journal.jsonl` and `journal-pg/test/fixtures/database-v0.sql`:
 * one export of one filter, requested, started, completed, downloaded and deleted by retention, and
 * another task that failed.
 */

/** The filter's keyed fingerprint. */
export const fingerprint = `hmac-sha256:${"5e".repeat(32)}`

/** The export's task. */
export const asyncTaskId = "6f1d2c3b4a5948e7a6b5c4d3e2f1a0b9"

/** Its request id. */
export const downloadRequestId = "0b9f3c1e-5a8d-4c1b-9d43-8f2b7e6a1c00"

/** When it was started. */
export const startedAt = "2026-03-02T09:00:01.000Z"

/** The events recorded, in order. */
export const events = ["requested", "started", "completed", "downloaded", "deleted", "failed"]
