/**
 * Consent for every way customers' personal data reaches the assistant's side: downloading an
 * export this server did not start with the user's consent (started with `booster`, by a colleague,
 * by another program), and a start that returns a recent export of the same filter. For each consent
 * mode and each kind of client: one that cannot be asked, a 2025-era client asked with
 * `elicitation/create`, and a 2026-07-28 client asked with input-required round trips.
 */
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import * as Journal from "@booster-export/journal/Journal"
import type { Sandbox } from "@booster-export/sandbox"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Answer,
  type Connected,
  connectAsking,
  connectStdio,
  filter,
  type Generation,
  SDK1,
  sandboxEnv,
  serverEnv,
  startedElsewhere,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf,
  V2_LEGACY,
  V2_PINNED
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: (Connected & { readonly asked?: Array<string> }) | undefined

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

interface ClientKind {
  readonly name: string
  readonly generation: Generation
  /** Whether the client declares form elicitation (the server may ask its user). */
  readonly asks: boolean
}

const CLIENTS: ReadonlyArray<ClientKind> = [
  { name: "a client that cannot be asked (SDK 1.x)", generation: SDK1, asks: false },
  { name: "a 2025-era client that can be asked (SDK v2 at 2025-06-18)", generation: V2_LEGACY, asks: true },
  {
    name: "a 2026-07-28 client that can be asked (SDK v2, input-required rounds)",
    generation: V2_PINNED,
    asks: true
  }
]

/** Answers no to the first question and yes (to whichever field it asks) to every later one. */
const noThenYes = (): Answer => {
  let count = 0
  return (message) =>
    count++ === 0
      ? { action: "decline" }
      : { action: "accept", content: message.includes("Download it?") ? { download: true } : { start: true } }
}

const connect = async (mode: string, kind: ClientKind) => {
  dirs = await tempDirs()
  const env = serverEnv(dirs, sandboxEnv(sandbox))
  server = kind.asks
    ? await connectAsking(["--consent", mode], env, kind.generation, noThenYes())
    : await connectStdio(["--consent", mode], env, kind.generation)
  return { client: server.client, asked: server.asked ?? [] }
}

const exportFiles = () => readdir(dirs!.exportDir).catch(() => [] as Array<string>)

let brands = 0
/** A brand no other test uses, so that no start of one test is a repeat of another's. */
const brand = () => `C${String(brands++).padStart(2, "0")}`

describe.each(["token", "auto", "elicit"] as const)("--consent %s", (mode) => {
  describe.each(CLIENTS)("$name", (kind) => {
    const serverAsks = kind.asks && mode !== "token"
    const refusesAll = !kind.asks && mode === "elicit"

    it("downloads an export started elsewhere only with the user's consent, writing nothing without it", async () => {
      const { client, asked } = await connect(mode, kind)
      const id = await startedElsewhere(sandbox, filter({ brand: brand() }))

      const refused = await client.callTool("download_export_file", { asyncTaskId: id })
      expect(refused.isError).toBe(true)
      expect(textOf(refused)).toContain("nothing was downloaded")
      expect(await exportFiles()).toEqual([])
      if (serverAsks) {
        expect(asked).toHaveLength(1)
        expect(asked[0]).toContain(id)
        expect(asked[0]).toContain("started elsewhere")
        expect(textOf(refused)).toContain("did not agree")
      } else if (refusesAll) {
        expect(textOf(refused)).toContain("cannot be asked")
        expect(textOf(refused)).toContain(`booster tasks download ${id}`)
      } else {
        expect(asked).toHaveLength(0)
        expect(textOf(refused)).toContain("get_export_task")
        expect(textOf(refused)).toContain("downloadConfirmation")
      }

      const read = await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 0 })
      expect(read.structuredContent).toMatchObject({ startedHere: false, downloadReady: true })
      expect(textOf(read)).toContain("started elsewhere")
      const confirmation = (read.structuredContent as { downloadConfirmation?: string }).downloadConfirmation
      if (serverAsks || refusesAll) {
        expect(confirmation).toBeUndefined()
      } else {
        expect(confirmation).toMatch(/^bxd_/)
        expect(textOf(read)).toContain(confirmation)
      }

      if (refusesAll) {
        const again = await client.callTool("download_export_file", { asyncTaskId: id })
        expect(again.isError).toBe(true)
        expect(await exportFiles()).toEqual([])
        return
      }
      const downloaded = await client.callTool("download_export_file", {
        asyncTaskId: id,
        ...(confirmation !== undefined ? { confirmation } : {})
      })
      expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
      expect(await exportFiles()).toHaveLength(1)
      if (serverAsks) expect(asked).toHaveLength(2)
      else {
        expect(asked).toHaveLength(0)
        // single use
        const replayed = await client.callTool("download_export_file", {
          asyncTaskId: id,
          overwrite: true,
          confirmation
        })
        expect(replayed.isError).toBe(true)
        expect(textOf(replayed)).toContain("already been used")
      }
    })

    it("returns a recent export of the same filter only with the user's consent, creating no second export", async () => {
      const { client, asked } = await connect(mode, kind)
      const args = filter({ brand: brand() })
      const preview = await client.callTool("preview_export", args)
      const { fingerprint } = preview.structuredContent as { fingerprint: string }
      // `booster export` of the same filter a moment ago: the export, and its start in the shared journal
      const earlier = await startedElsewhere(sandbox, args)
      await Effect.runPromise(
        Journal.make(join(dirs!.stateHome, "booster-export")).append({
          source: "cli",
          event: "started",
          asyncTaskId: earlier,
          fingerprint,
          host: new URL(sandbox.baseUrl).host
        })
      )
      const created = sandbox.tasksCreated()

      const refused = await client.callTool("start_export", args)
      expect(refused.isError).toBe(true)
      expect(textOf(refused)).toContain("nothing was sent")
      expect(refused.structuredContent).toBeUndefined()
      expect(sandbox.tasksCreated()).toBe(created)
      if (serverAsks) {
        expect(asked).toHaveLength(1)
        expect(asked[0]).toContain(`task ${earlier}`)
      } else expect(asked).toHaveLength(0)

      if (refusesAll) {
        expect(textOf(refused)).toContain("cannot be asked")
        return
      }
      const returned = serverAsks
        ? await client.callTool("start_export", args)
        : await startWithConsent(client, args)
      expect(returned.isError, textOf(returned)).toBeFalsy()
      expect(returned.structuredContent).toMatchObject({ reused: true, asyncTaskId: earlier })
      expect(sandbox.tasksCreated()).toBe(created)
    })
  })
})

describe("downloads that need no further consent, and starts that are not this server's", () => {
  it("downloads an export this server started with the user's consent without asking again", async () => {
    const { client, asked } = await connect("auto", CLIENTS[1]!)
    // the first question is declined: nothing starts
    expect((await client.callTool("start_export", filter({ brand: brand() }))).isError).toBe(true)
    const started = await client.callTool("start_export", filter({ brand: brand() }))
    const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
    expect(asked).toHaveLength(2)
    const read = await client.callTool("get_export_task", { asyncTaskId, waitSeconds: 0 })
    expect(read.structuredContent).toMatchObject({ startedHere: true })
    expect(read.structuredContent).not.toHaveProperty("downloadConfirmation")
    const downloaded = await client.callTool("download_export_file", { asyncTaskId })
    expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
    expect(asked).toHaveLength(2)
  })

  it("asks before downloading a colleague's export started through their own booster-mcp (a shared journal)", async () => {
    const { client } = await connect("token", CLIENTS[0]!)
    const id = await startedElsewhere(sandbox, filter({ brand: brand() }))
    await Effect.runPromise(
      Journal.make(join(dirs!.stateHome, "booster-export")).append({
        source: "mcp",
        event: "started",
        actor: "colleague@their-laptop",
        asyncTaskId: id,
        host: new URL(sandbox.baseUrl).host
      })
    )
    const refused = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("downloadConfirmation")
    expect(await exportFiles()).toEqual([])
  })

  it("refuses a start's confirmation, or another task's, for a download", async () => {
    const { client } = await connect("token", CLIENTS[0]!)
    const id = await startedElsewhere(sandbox, filter({ brand: brand() }))
    const other = await startedElsewhere(sandbox, filter({ brand: brand() }))
    const preview = await client.callTool("preview_export", filter({ brand: brand() }))
    const startConfirmation = (preview.structuredContent as { confirmation: string }).confirmation
    const read = await client.callTool("get_export_task", { asyncTaskId: other, waitSeconds: 0 })
    const otherConfirmation = (read.structuredContent as { downloadConfirmation: string })
      .downloadConfirmation
    for (const [confirmation, reason] of [
      [startConfirmation, "not issued by this server for a download"],
      [otherConfirmation, "different task"]
    ] as const) {
      const refused = await client.callTool("download_export_file", { asyncTaskId: id, confirmation })
      expect(refused.isError).toBe(true)
      expect(textOf(refused)).toContain(reason)
    }
    expect(await exportFiles()).toEqual([])
    // refused for another task, it still serves its own
    const own = await client.callTool("download_export_file", {
      asyncTaskId: other,
      confirmation: otherConfirmation
    })
    expect(own.isError, textOf(own)).toBeFalsy()
  })
})
