/**
 * Consent across `booster-mcp --http` replicas sharing one team journal in PostgreSQL: a preview
 * answered by one replica gives a confirmation the other accepts, once; its database row holds the
 * token's hash, never the token.
 */
import { createHash, randomBytes } from "node:crypto"
import type { Sandbox } from "@booster-export/sandbox"
import {
  type CallToolResult,
  Client,
  isInputRequiredResult,
  StreamableHTTPClientTransport
} from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest"
import { type Connected, filter, type HttpProcess, startRound, textOf } from "./harness.js"
import { clusterUrl, query, skipReason } from "./pg.js"
import { startTeam, type Team } from "./team.js"

if (clusterUrl === undefined) console.warn(`shared-consent tests skipped: ${skipReason}`)

let sandbox: Sandbox.RunningSandbox | undefined
let journalUrl = ""
const replicas: Array<Connected & HttpProcess> = []
let team: Team | undefined

/** Export requests the API received. */
const posts = () => sandbox!.requests().filter((request) => request.method === "POST").length

const previewOn = async (replica: Connected, args: Record<string, unknown>): Promise<string> => {
  const preview = await replica.client.callTool("preview_export", args)
  const confirmation = (preview.structuredContent as { confirmation?: string } | undefined)?.confirmation
  expect(typeof confirmation, textOf(preview)).toBe("string")
  return confirmation!
}

describe.skipIf(clusterUrl === undefined)("consent shared by two booster-mcp --http replicas", () => {
  beforeAll(async () => {
    // the default consent mode: the SDK 1.x client declares no elicitation, so it gets confirmations
    team = await startTeam(2, [])
    sandbox = team.sandbox
    replicas.push(...team.replicas)
    journalUrl = team.journalUrl
  }, 120_000)

  afterAll(async () => {
    await team?.close()
  })

  it("a confirmation from a preview on one replica starts the export on the other, once", async () => {
    const [a, b] = replicas
    const args = filter({ brand: "RPA" })
    const confirmation = await previewOn(a!, args)

    // the database holds the token's hash, never the token
    const rows = await query(journalUrl, (client) => client`SELECT * FROM booster_consent_tokens`)
    const hash = createHash("sha256").update(confirmation).digest("hex")
    expect(JSON.stringify(rows)).not.toContain(confirmation)
    expect(JSON.stringify(rows)).toContain(hash)

    const before = posts()
    const started = await b!.client.callTool("start_export", { ...args, confirmation })
    expect(started.isError, textOf(started)).not.toBe(true)
    expect((started.structuredContent as { reused?: boolean }).reused).toBe(false)
    expect(posts()).toBe(before + 1)

    // the same token again on the first replica: refused as used (a forced start), nothing sent
    const again = await a!.client.callTool("start_export", { ...args, confirmation, force: true })
    expect(again.isError).toBe(true)
    expect(textOf(again)).toContain("already been used")
    expect(posts()).toBe(before + 1)
  })

  it("of two replicas redeeming one confirmation at the same instant, one starts the export", async () => {
    for (const [round, brand] of ["RPB", "RPC", "RPD", "RPE"].entries()) {
      const args = filter({ brand })
      const confirmation = await previewOn(replicas[round % 2]!, args)
      const before = posts()
      const results = await Promise.all(
        replicas.map((replica) =>
          replica.client.callTool("start_export", { ...args, confirmation, force: true })
        )
      )
      expect(posts() - before).toBe(1)
      const refused = results.filter((result) => result.isError === true)
      expect(refused).toHaveLength(1)
      expect(textOf(refused[0])).toContain("already been used")
    }
  })

  it("refuses on the other replica a confirmation issued for another filter, which stays good for its own", async () => {
    const [a, b] = replicas
    const confirmation = await previewOn(a!, filter({ brand: "RPF" }))
    const before = posts()
    const other = await b!.client.callTool("start_export", {
      ...filter({ brand: "RPG" }),
      confirmation
    })
    expect(other.isError).toBe(true)
    expect(textOf(other)).toContain("different filter")
    expect(posts()).toBe(before)
    const own = await b!.client.callTool("start_export", {
      ...filter({ brand: "RPF" }),
      confirmation
    })
    expect(own.isError, textOf(own)).not.toBe(true)
    expect(posts()).toBe(before + 1)
  })

  it("refuses an expired confirmation and one no replica issued, sending nothing", async () => {
    const [a, b] = replicas
    const args = filter({ brand: "RPH" })
    const confirmation = await previewOn(a!, args)
    const hash = createHash("sha256").update(confirmation).digest("hex")
    await query(
      journalUrl,
      (client) =>
        client`UPDATE booster_consent_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${hash}`
    )
    const before = posts()
    const expired = await b!.client.callTool("start_export", { ...args, confirmation })
    expect(expired.isError).toBe(true)
    expect(textOf(expired)).toContain("expired")
    const forged = await b!.client.callTool("start_export", {
      ...args,
      confirmation: `bxc_${randomBytes(18).toString("base64url")}`
    })
    expect(forged.isError).toBe(true)
    expect(textOf(forged)).toContain("not issued")
    expect(posts()).toBe(before)
  })

  it("accepts on the other replica the answer to a question one replica asked a 2026-07-28 client, once", async () => {
    // one SDK v2 client per replica, driving the round trip by hand
    const clients = await Promise.all(
      replicas.map(async (replica) => {
        const client = new Client(
          { name: "booster-mcp-replicas-test", version: "1.0.0" },
          {
            versionNegotiation: { mode: { pin: "2026-07-28" } },
            capabilities: { elicitation: { form: {} } },
            inputRequired: { autoFulfill: false }
          }
        )
        await client.connect(new StreamableHTTPClientTransport(replica.url))
        return client
      })
    )
    onTestFinished(async () => {
      await Promise.allSettled(clients.map((client) => client.close()))
    })
    const args = filter({ brand: "RPQ" })
    const first = await startRound(clients[0]!, args)
    if (!isInputRequiredResult(first)) throw new Error(`expected a question, got ${textOf(first)}`)
    const [key] = Object.keys(first.inputRequests ?? {})
    const answer = {
      inputResponses: { [key!]: { action: "accept", content: { start: true } } },
      requestState: first.requestState as string
    }
    const before = posts()
    const started = (await startRound(clients[1]!, args, answer)) as CallToolResult
    expect(started.isError, textOf(started)).toBeFalsy()
    expect(started.structuredContent).toMatchObject({ reused: false })
    expect(posts()).toBe(before + 1)
    // the same answer replayed on the replica that asked: refused, nothing sent
    const replayed = (await startRound(clients[0]!, { ...args, force: true }, answer)) as CallToolResult
    expect(replayed.isError).toBe(true)
    expect(textOf(replayed)).toContain("already been used")
    expect(posts()).toBe(before + 1)
  })
})
