/**
 * Two `booster-mcp --http` replicas behind one team journal in PostgreSQL: separate homes, one
 * database, one fingerprint key file, one API. The same start sent to both at the same instant
 * creates one export; the other replica returns it with `reused: true`.
 */
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Connected, filter, type HttpProcess, textOf } from "./harness.js"
import { clusterUrl, skipReason } from "./pg.js"
import { startTeam, type Team } from "./team.js"

const password = process.env.BOOSTER_TEST_PG_PASSWORD ?? "unset"
if (clusterUrl === undefined) console.warn(`replica tests skipped: ${skipReason}`)

interface Started {
  readonly asyncTaskId: string
  readonly reused: boolean
  readonly fingerprint: string
}

let sandbox: Sandbox.RunningSandbox | undefined
const replicas: Array<Connected & HttpProcess> = []
let team: Team | undefined

describe.skipIf(clusterUrl === undefined)("two booster-mcp --http replicas sharing one team journal", () => {
  beforeAll(async () => {
    team = await startTeam(2, ["--consent", "token"])
    sandbox = team.sandbox
    replicas.push(...team.replicas)
  }, 120_000)

  afterAll(async () => {
    await team?.close()
  })

  it("the same start sent to both at the same instant creates one export, round after round", async () => {
    const rounds = [
      filter({ posCodes: ["ES100"] }),
      filter({ posCodes: ["IT200"], locationCountryIds: ["it"] }),
      { brand: "IWC", posCodes: ["FR100"] },
      filter({ posCodes: ["ES100", "FR100"], canBeContactedByMaison: true })
    ]
    const fingerprints = new Set<string>()
    for (const [round, args] of rounds.entries()) {
      // each replica previews the filter, and the user agrees on each: two valid confirmations
      const previews = await Promise.all(
        replicas.map((replica) => replica.client.callTool("preview_export", args))
      )
      const confirmations = previews.map(
        (preview) => (preview.structuredContent as { confirmation?: string } | undefined)?.confirmation
      )
      expect(confirmations.every((token) => typeof token === "string")).toBe(true)

      const postsBefore = sandbox!.requests().filter((request) => request.method === "POST").length
      const createdBefore = sandbox!.tasksCreated()
      const purpose = `ticket OPS-${round}`
      const results = await Promise.all(
        replicas.map((replica, i) =>
          replica.client.callTool("start_export", {
            ...args,
            purpose,
            confirmation: confirmations[i]
          })
        )
      )
      for (const result of results) expect(result.isError, textOf(result)).not.toBe(true)
      const started = results.map((result) => result.structuredContent as unknown as Started)

      // the API saw exactly one export request
      expect(sandbox!.tasksCreated() - createdBefore).toBe(1)
      expect(sandbox!.requests().filter((request) => request.method === "POST").length - postsBefore).toBe(1)
      // one replica created it, the other returned that same task
      expect(started.map((answer) => answer.reused).sort()).toEqual([false, true])
      expect(started[0]!.asyncTaskId).toBe(started[1]!.asyncTaskId)
      expect(started[0]!.fingerprint).toBe(started[1]!.fingerprint)
      fingerprints.add(started[0]!.fingerprint)
    }
    // each round was its own filter, so its own export
    expect(fingerprints.size).toBe(rounds.length)
    expect(sandbox!.tasksCreated()).toBe(rounds.length)

    // either replica lists the tasks both started; no process printed the database password
    for (const replica of replicas) {
      const listed = await replica.client.callTool("list_export_tasks", {})
      expect(listed.isError).not.toBe(true)
      expect(replica.stderr()).not.toContain(password)
    }
  })
})
