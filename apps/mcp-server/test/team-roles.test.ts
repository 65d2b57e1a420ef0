/**
 * `booster-mcp` on a team database with the roles of "Running for a team" (docs/team.md): a member's
 * login role with exactly the team's grants starts (confirmations in the database), downloads and
 * records as itself, refuses a purpose holding a phone number, and writes signed checkpoints.
 */
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { Checkpoint } from "@booster-export/journal"
import { PgJournal } from "@booster-export/journal-pg"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { createTeam } from "../../../packages/journal-pg/test/roles.js"
import {
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"
import { clusterUrl, skipReason } from "./pg.js"

if (clusterUrl === undefined) console.warn(`team role tests skipped: ${skipReason}`)

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe.skipIf(clusterUrl === undefined)("booster-mcp with the team roles of docs/team.md", () => {
  it("starts, downloads and records as the member, refuses a personal purpose, and checkpoints hourly", async () => {
    const team = await createTeam(clusterUrl!)
    await run(
      Effect.provide(PgJournal.migrate(), PgJournal.layerClient({ url: Redacted.make(team.ownerUrl) }))
    )
    await team.grant()
    const sandbox = await startSandbox({ customers: 300, taskDurationMs: 0 })
    const dirs = await tempDirs()
    const checkpoints = join(dirs.root, "checkpoints")
    const server = await connectStdio(
      ["--consent", "token", "--checkpoint-dir", checkpoints],
      serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_JOURNAL_URL: team.memberUrl, BOOSTER_LOG: "info" })
    )
    try {
      const refused = await startWithConsent(server.client, {
        ...filter(),
        purpose: "call Jane 06 12 34 56 78"
      })
      expect(refused.isError).toBe(true)
      expect(textOf(refused)).toContain("phone number")
      expect(textOf(refused)).not.toContain("56 78")
      expect(sandbox.tasksCreated()).toBe(0)

      const started = await startWithConsent(server.client, { ...filter(), purpose: "ticket OPS-9" })
      expect(started.isError, textOf(started)).not.toBe(true)
      const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
      await server.client.callTool("get_export_task", { asyncTaskId, waitSeconds: 10 })
      const downloaded = await server.client.callTool("download_export_file", { asyncTaskId })
      expect(downloaded.isError, textOf(downloaded)).not.toBe(true)

      // the first checkpoint comes shortly after start
      for (let i = 0; i < 100 && (await readdir(checkpoints).catch(() => [])).length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      await run(
        Effect.scoped(
          Effect.gen(function* () {
            const { journal } = yield* PgJournal.connect({ url: Redacted.make(team.auditorUrl) })
            const entries = yield* journal.entries
            expect(entries.map((entry) => entry.event)).toEqual(["requested", "started", "downloaded"])
            expect(entries.every((entry) => entry.writer === team.member)).toBe(true)
            expect(entries[1]!.purpose).toBe("ticket OPS-9")
            expect(yield* journal.verify).toMatchObject({ ok: true, entries: 3 })
            const checked = yield* Checkpoint.verify(checkpoints, yield* journal.trail)
            expect(checked).toMatchObject({ ok: true })
          })
        )
      )
      expect(server.stderr()).not.toContain(team.password)
    } finally {
      await server.close()
      await sandbox.close()
      await dirs.remove()
    }
  })
})
