/**
 * The body of the start-race fixtures (run as their own processes by the journal tests, with the file
 * journal here and with the PostgreSQL journal in journal-pg): checks the journal for a recent start
 * of one filter and, when there is none, "starts" it (300 ms, as a slow API answer) and records it.
 * Prints `started` or `reused`. With NO_LOCK set it skips the start lock, to show the race it
 * prevents. Every process opens the journal (connects, for PostgreSQL), then announces itself
 * (`ready-<pid>` in the gate folder) and waits for a `go` file there, so that all of them check the
 * journal at the same instant, however long each took to connect on a loaded machine.
 *
 * Arguments: the journal's folder, the fingerprint (FINGERPRINT_SUFFIX is appended), the gate folder.
 */
import { randomUUID } from "node:crypto"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import type * as Journal from "../src/Journal.js"

export const race = (open: (directory: string) => Effect.Effect<Journal.Service, unknown, Scope.Scope>) => {
  const [directory, base, gate] = process.argv.slice(2) as [string, string, string]
  const fingerprint = `${base}${process.env.FINGERPRINT_SUFFIX ?? ""}`
  const host = "booster.example.com"
  const program = Effect.gen(function* () {
    const journal = yield* open(directory)
    writeFileSync(join(gate, `ready-${process.pid}`), "")
    while (!existsSync(join(gate, "go"))) yield* Effect.sleep("5 millis")
    const startOnce = Effect.gen(function* () {
      if (
        (yield* journal.latestStart({ fingerprint, host, now: Date.now(), windowMs: 60_000 })) !== undefined
      ) {
        return "reused"
      }
      yield* Effect.sleep("300 millis")
      yield* journal.append({
        source: "test",
        event: "started",
        fingerprint,
        host,
        asyncTaskId: randomUUID()
      })
      return "started"
    })
    return yield* process.env.NO_LOCK === "1"
      ? startOnce
      : startOnce.pipe(journal.withStartLock({ fingerprint, host }))
  })
  Effect.runPromise(Effect.scoped(program)).then((outcome) => console.log(outcome))
}
