/**
 * booster-mcp over stdio, driven by the official clients: the tests of one client generation
 * (`stdioSuite`), run by one test file per generation (`stdio-*.test.ts`) so that the generations run
 * side by side, each against a sandbox of its own.
 */
import { createHash } from "node:crypto"
import { readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { Journal } from "@booster-export/journal"
import type { Sandbox } from "@booster-export/sandbox"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { listing } from "../src/tools/listing.js"
import {
  type Connected,
  connectStdio,
  filter,
  type Generation,
  PERSONAL_EMAIL,
  readJournal,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
let server: Connected | undefined

/** The test of a task the API gives without counts (run by one of the files). */
const withoutCounts = () =>
  describe("a task the API gives without counts", () => {
    it("get_export_task and list_export_tasks omit the counts instead of showing 'undefined'", async () => {
      const quiet = await startSandbox({ customers: 200, taskDurationMs: 0, totals: false })
      try {
        dirs = await tempDirs()
        server = await connectStdio([], serverEnv(dirs, sandboxEnv(quiet)))
        const started = await startWithConsent(server.client, filter())
        const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
        const task = await server.client.callTool("get_export_task", { asyncTaskId, waitSeconds: 5 })
        expect(task.isError).not.toBe(true)
        expect(task.structuredContent).toMatchObject({ asyncTaskId, status: "COM", downloadReady: true })
        expect(task.structuredContent).not.toHaveProperty("totalResults")
        const listed = await server.client.callTool("list_export_tasks", {})
        for (const text of [textOf(task), textOf(listed)]) {
          expect(text).toContain("completed [COM], 100%")
          expect(text).not.toMatch(/undefined|NaN|null/)
        }
      } finally {
        await quiet.close()
      }
    })
  })

/**
 * Registers the tests of `generation` (and, with `withoutCounts`, the test of a task given without
 * counts) against a sandbox started for the file.
 */
export const stdioSuite = (generation: Generation, options: { readonly withoutCounts?: boolean } = {}) => {
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(async () => {
    await sandbox.close()
  })
  afterEach(async () => {
    await server?.close()
    server = undefined
    await dirs?.remove()
  })

  describe(generation.name, () => {
    const connect = async (
      args: ReadonlyArray<string> = [],
      extra: Record<string, string | undefined> = {}
    ) => {
      dirs = await tempDirs()
      server = await connectStdio(args, serverEnv(dirs, { ...sandboxEnv(sandbox), ...extra }), generation)
      return server.client
    }

    const call = (name: string, args: Record<string, unknown>) =>
      name === "start_export" ? startWithConsent(server!.client, args) : server!.client.callTool(name, args)

    describe("tools/list", () => {
      it("lists the eight tools with schemas generated from core", async () => {
        const client = await connect()
        expect(client.revision).toBe(generation.revision)
        const { tools } = await client.listTools()
        expect(tools.map((tool) => tool.name)).toEqual([
          "preview_export",
          "start_export",
          "get_export_task",
          "list_export_tasks",
          "download_export_file",
          "summarize_export_file",
          "list_schedules",
          "describe_schedule"
        ])
        const start = tools.find((tool) => tool.name === "start_export")!
        // every kind needs a brand; the kind's own rules (posCodes for all but stock) are checked by the server
        expect(start.inputSchema.required).toEqual(["brand"])
        expect(Object.keys(start.inputSchema.properties ?? {})).toEqual(
          expect.arrayContaining([
            "kind",
            "force",
            "purpose",
            "email",
            "articleCodes",
            "reasonCodes",
            "status"
          ])
        )
        expect((start.inputSchema.properties as Record<string, { enum?: unknown }>).kind?.enum).toEqual([
          "customers",
          "stock",
          "movements",
          "sell-out",
          "invoices",
          "orders"
        ])
        for (const tool of tools) {
          expect(tool.outputSchema?.type).toBe("object")
          expect(tool.annotations?.destructiveHint).toBe(false)
        }
        expect(start.annotations).toMatchObject({
          readOnlyHint: false,
          idempotentHint: false,
          openWorldHint: true
        })
        expect(tools.filter((tool) => tool.annotations?.readOnlyHint).map((tool) => tool.name)).toEqual([
          "preview_export",
          "get_export_task",
          "list_export_tasks",
          "summarize_export_file",
          "list_schedules",
          "describe_schedule"
        ])
        expect(tools).toEqual(JSON.parse(JSON.stringify(listing())))
      })
    })

    describe("preview_export", () => {
      it("returns the normalised filter, description, fingerprint and request, never a personal value", async () => {
        await connect()
        const requestsBefore = sandbox.requests().length
        const result = await call("preview_export", {
          brand: " CAR ",
          posCodes: ["ES100", "ES100", "IT200"],
          email: ` ${PERSONAL_EMAIL.toUpperCase()} `,
          locationCountryIds: ["IT"]
        })
        expect(result.isError).toBeFalsy()
        const out = result.structuredContent as Record<string, unknown>
        expect(out.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
        expect(out.filter).toMatchObject({
          brand: "CAR",
          posCodes: ["ES100", "IT200"],
          locationCountryIds: ["it"]
        })
        expect(out.request).toMatchObject({ method: "POST", path: "/customer/CAR/export" })
        expect(out.personalFieldsHidden).toEqual(["email"])
        expect(JSON.stringify(result).toLowerCase()).not.toContain(PERSONAL_EMAIL)
        expect(textOf(result)).toContain("Nothing was sent")
        expect(sandbox.requests().length).toBe(requestsBefore)
      })

      it("gives the same fingerprint for the same filter written differently", async () => {
        await connect()
        const a = await call("preview_export", filter())
        const b = await call("preview_export", {
          posCodes: ["IT200", "ES100"],
          brand: "CAR",
          locationCountryIds: ["IT"]
        })
        expect((a.structuredContent as { fingerprint: string }).fingerprint).toBe(
          (b.structuredContent as { fingerprint: string }).fingerprint
        )
      })

      it("lists every problem by field path and rule without repeating values", async () => {
        await connect()
        const result = await call("preview_export", {
          brand: "CAR",
          posCodes: [],
          email: "not-an-email-secretvalue",
          creationDateFrom: "2023-02-30",
          clientSpendingFrom: 500,
          clientSpendingTo: 100,
          brnad: "x",
          [PERSONAL_EMAIL]: true
        })
        expect(result.isError).toBe(true)
        const text = textOf(result)
        expect(text).toContain("posCodes")
        expect(text).toContain("email")
        expect(text).toContain("creationDateFrom")
        expect(text).toContain("clientSpendingTo")
        expect(text).toContain("did you mean brand")
        expect(text).toContain("Next step")
        expect(text).not.toContain("secretvalue")
        expect(text).not.toContain("2023-02-30")
        expect(text).not.toContain(PERSONAL_EMAIL)
        expect(text).toContain("(a member whose name is not a field name): is not a known field")
      })
    })

    describe("start_export", () => {
      it("starts one export, journals it without personal data, and returns the same task when repeated", async () => {
        await connect()
        const before = sandbox.tasksCreated()
        const args = { ...filter({ email: PERSONAL_EMAIL }), purpose: "Ticket OPS-142" }
        const first = await call("start_export", args)
        expect(first.isError).toBeFalsy()
        const started = first.structuredContent as Record<string, unknown>
        expect(started.asyncTaskId).toEqual(expect.any(String))
        expect(started.reused).toBe(false)
        expect(sandbox.tasksCreated()).toBe(before + 1)

        const again = await call("start_export", { ...args, posCodes: ["IT200", "ES100"] })
        const repeated = again.structuredContent as Record<string, unknown>
        expect(repeated.asyncTaskId).toBe(started.asyncTaskId)
        expect(repeated.reused).toBe(true)
        expect(textOf(again)).toContain("force: true")
        expect(sandbox.tasksCreated()).toBe(before + 1)

        const forced = await call("start_export", { ...args, force: true })
        expect((forced.structuredContent as Record<string, unknown>).asyncTaskId).not.toBe(
          started.asyncTaskId
        )
        expect(sandbox.tasksCreated()).toBe(before + 2)

        const journal = await readJournal(dirs.journal)
        // each start is written down before it is sent, then recorded with its task
        expect(journal.map((line) => line.event)).toEqual(["requested", "started", "requested", "started"])
        expect(journal[0]).toMatchObject({
          source: "mcp",
          event: "requested",
          asyncTaskId: "",
          downloadRequestId: started.downloadRequestId,
          fingerprint: started.fingerprint
        })
        expect(journal[1]).toMatchObject({
          source: "mcp",
          event: "started",
          host: new URL(sandbox.baseUrl).host,
          asyncTaskId: started.asyncTaskId,
          downloadRequestId: started.downloadRequestId,
          fingerprint: started.fingerprint,
          brand: "CAR",
          // the chain holds the purpose's keyed hash; the text sits beside it, erasable
          purposeHmac: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/)
        })
        expect(journal.every((line) => typeof line.purposeHmac === "string" && !("purpose" in line))).toBe(
          true
        )
        const purposes = await readJournal(join(dirname(dirs.journal), "purposes.jsonl"))
        expect(purposes.map((line) => [line.seq, line.purpose])).toEqual([
          [1, "Ticket OPS-142"],
          [2, "Ticket OPS-142"],
          [3, "Ticket OPS-142"],
          [4, "Ticket OPS-142"]
        ])
        expect(JSON.stringify(journal)).not.toContain(PERSONAL_EMAIL)
        expect(JSON.stringify([first, again, forced])).not.toContain(PERSONAL_EMAIL)
      })

      it("recognises a start the command line recorded in the shared journal as a repeat", async () => {
        await connect()
        const first = await call("start_export", filter({ brand: "VCA" }))
        const { asyncTaskId, downloadRequestId, fingerprint } = first.structuredContent as {
          asyncTaskId: string
          downloadRequestId: string
          fingerprint: string
        }
        await server!.close()
        server = undefined
        await rm(dirs.journal)
        const journal = Journal.make(join(dirs.stateHome, "booster-export"))
        const host = new URL(sandbox.baseUrl).host
        await Effect.runPromise(
          journal.append({
            source: "cli",
            event: "started",
            asyncTaskId,
            downloadRequestId,
            fingerprint,
            host
          })
        )
        server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)), generation)
        const before = sandbox.tasksCreated()
        const second = await call("start_export", filter({ brand: "VCA" }))
        expect(second.structuredContent).toMatchObject({ asyncTaskId, downloadRequestId, reused: true })
        expect(sandbox.tasksCreated()).toBe(before)
        const lines = await readJournal(dirs.journal)
        expect(lines.map((line) => line.source)).toEqual(["cli"])
      })

      it("two server processes starting the same filter at the same instant create one task", async () => {
        await connect()
        const other = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)), generation)
        try {
          // a slow answer keeps the first start in flight while the other process checks the journal
          sandbox.faults.add({ route: "export", fault: { kind: "delay", ms: 500 }, times: 2 })
          const before = sandbox.tasksCreated()
          const args = filter({ brand: "PIA" })
          const results = (
            await Promise.all([startWithConsent(server!.client, args), startWithConsent(other.client, args)])
          ).map((result) => result.structuredContent as { asyncTaskId: string; reused: boolean })
          expect(sandbox.tasksCreated()).toBe(before + 1)
          expect(results.map((r) => r.reused).sort()).toEqual([false, true])
          expect(results[0]!.asyncTaskId).toBe(results[1]!.asyncTaskId)
        } finally {
          await other.close()
        }
      })

      it("reaches the API with OAuth2 client credentials from the environment", async () => {
        await connect([], {
          BOOSTER_API_KEY: undefined,
          BOOSTER_OAUTH2_TOKEN_URL: sandbox.tokenUrl,
          BOOSTER_OAUTH2_CLIENT_ID: "crm-exports",
          BOOSTER_OAUTH2_CLIENT_SECRET: sandbox.apiKey,
          BOOSTER_OAUTH2_SCOPE: "exports"
        })
        const tokens = () => sandbox.requests().filter((r) => r.path === "/oauth/token")
        const before = { tasks: sandbox.tasksCreated(), tokens: tokens().length }
        const started = await call("start_export", filter({ brand: "BAU" }))
        expect(started.isError).toBeFalsy()
        expect(sandbox.tasksCreated()).toBe(before.tasks + 1)
        // the token endpoint accepted the client credentials (a wrong secret answers 401)
        expect(
          tokens()
            .slice(before.tokens)
            .map((r) => [r.method, r.status])
        ).toEqual([["POST", 200]])
        expect(JSON.stringify(started)).not.toContain(sandbox.apiKey)
      })

      it("credentials of two kinds at once: a tool error naming the variables, not their values", async () => {
        await connect([], { BOOSTER_BASIC_USER: "exporter", BOOSTER_BASIC_PASSWORD: "basic-secret-value" })
        const result = await call("start_export", filter({ brand: "BAU" }))
        expect(result.isError).toBe(true)
        expect(textOf(result)).toContain("BOOSTER_API_KEY, BOOSTER_BASIC_USER, BOOSTER_BASIC_PASSWORD")
        expect(textOf(result)).not.toContain("basic-secret-value")
        expect(textOf(result)).not.toContain(sandbox.apiKey)
      })

      it("recognises a start the command line journalled in its older history.jsonl", async () => {
        await connect()
        const first = await call("start_export", filter({ brand: "IWC" }))
        const { asyncTaskId, fingerprint } = first.structuredContent as {
          asyncTaskId: string
          fingerprint: string
        }
        await server!.close()
        server = undefined
        const host = new URL(sandbox.baseUrl).host
        const at = (offset: number) => new Date(Date.now() - offset).toISOString()
        await rm(dirs.journal)
        await writeFile(
          join(dirs.stateHome, "booster-export", "history.jsonl"),
          [
            "not json at all",
            JSON.stringify({ at: at(60_000), event: "started", asyncTaskId, fingerprint, host }),
            JSON.stringify({
              at: at(30_000),
              event: "started",
              asyncTaskId: "0123456789abcdef0123456789abcdef",
              fingerprint,
              host: "elsewhere.example:443"
            }),
            ""
          ].join("\n")
        )
        server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)), generation)
        const second = await call("start_export", filter({ brand: "IWC" }))
        expect(second.structuredContent).toMatchObject({ asyncTaskId, reused: true })
      })

      it("starts anew when the window is 0", async () => {
        await connect(["--dedupe-window", "0"])
        const a = await call("start_export", filter({ brand: "JLC" }))
        const b = await call("start_export", filter({ brand: "JLC" }))
        expect((a.structuredContent as Record<string, unknown>).asyncTaskId).not.toBe(
          (b.structuredContent as Record<string, unknown>).asyncTaskId
        )
      })

      it("refuses an invalid filter without sending anything", async () => {
        await connect()
        const before = sandbox.tasksCreated()
        const result = await call("start_export", {
          brand: "CAR",
          force: "yes",
          purpose: "x".repeat(300)
        })
        expect(result.isError).toBe(true)
        const text = textOf(result)
        expect(text).toContain("posCodes: is required")
        expect(text).toContain("force")
        expect(text).toContain("purpose: must be at most 200 characters")
        const personal = await call("start_export", {
          ...filter(),
          purpose: `asked by ${PERSONAL_EMAIL}`
        })
        expect(personal.isError).toBe(true)
        expect(textOf(personal)).toContain("purpose: may hold only letters, digits, spaces")
        expect(textOf(personal)).not.toContain(PERSONAL_EMAIL)
        const phone = await call("start_export", {
          ...filter(),
          purpose: "call back 06 12 34 56 78"
        })
        expect(phone.isError).toBe(true)
        expect(textOf(phone)).toContain("purpose: must not hold a phone number")
        expect(textOf(phone)).not.toContain("56 78")
        expect(sandbox.tasksCreated()).toBe(before)
        expect(await readJournal(dirs.journal)).toEqual([])
      })

      it("explains refused credentials and what to do", async () => {
        await connect([], { BOOSTER_API_KEY: "wrong-key" })
        const result = await call("start_export", filter())
        expect(result.isError).toBe(true)
        expect(textOf(result)).toMatch(/Next step: .+/)
        expect(textOf(result)).not.toContain("wrong-key")
      })

      it("explains a missing configuration", async () => {
        dirs = await tempDirs()
        server = await connectStdio([], serverEnv(dirs), generation)
        const result = await call("start_export", filter())
        expect(result.isError).toBe(true)
        expect(textOf(result)).toContain("BOOSTER_BASE_URL")
        expect(textOf(result)).toContain("--sandbox")
        const preview = await call("preview_export", filter())
        expect(preview.isError).toBeFalsy()
      })
    })

    describe("get_export_task", () => {
      it("reads a task, and follows it with progress notifications", async () => {
        await connect()
        const started = await call("start_export", filter({ brand: "PAN" }))
        const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
        const now = await call("get_export_task", { asyncTaskId: id, waitSeconds: 0 })
        expect(now.isError).toBeFalsy()
        expect(now.structuredContent).toMatchObject({ asyncTaskId: id, brand: "PAN", type: "crm" })
        // the API writes /Date(…)/: dates leave the server in ISO-8601
        const { requestDate } = now.structuredContent as { requestDate: string }
        expect(requestDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        expect(Math.abs(Date.parse(requestDate) - Date.now())).toBeLessThan(5 * 60_000)
        expect(textOf(now)).toContain(`requested ${requestDate}`)
        expect(JSON.stringify(now)).not.toContain("Date(")

        const progress: Array<{
          progress: number
          total?: number | undefined
          message?: string | undefined
        }> = []
        const followed = await server!.client.callTool(
          "get_export_task",
          { asyncTaskId: id, waitSeconds: 60 },
          {
            onprogress: (p) => progress.push(p),
            timeout: 90_000
          }
        )
        expect(followed.structuredContent).toMatchObject({
          statusKind: "completed",
          percentage: 100,
          downloadReady: true
        })
        expect(textOf(followed)).toContain("download_export_file")
        expect(progress.length).toBeGreaterThan(0)
        expect(progress.at(-1)).toMatchObject({ progress: 100, total: 100 })
        for (let i = 1; i < progress.length; i++)
          expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress)
        expect(JSON.stringify(followed)).not.toContain("signature")
      })

      it("reports a task that ended in error, and a repeated start then exports anew", async () => {
        await connect()
        sandbox.faults.add({ route: "export", fault: { kind: "task-error" } })
        const started = await call("start_export", filter({ brand: "OFF" }))
        const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
        const followed = await server!.client.callTool(
          "get_export_task",
          { asyncTaskId: id, waitSeconds: 60 },
          { timeout: 90_000 }
        )
        expect(followed.isError).toBeFalsy()
        expect(followed.structuredContent).toMatchObject({
          statusKind: "error",
          finished: true,
          downloadReady: false
        })
        expect(textOf(followed)).toContain("force: true")
        const download = await call("download_export_file", { asyncTaskId: id })
        expect(download.isError).toBe(true)
        const before = sandbox.tasksCreated()
        const again = await call("start_export", filter({ brand: "OFF" }))
        expect(again.structuredContent).toMatchObject({ reused: false })
        expect((again.structuredContent as { asyncTaskId: string }).asyncTaskId).not.toBe(id)
        expect(sandbox.tasksCreated()).toBe(before + 1)
      })

      it("stops following when the client cancels, and keeps serving", async () => {
        await connect()
        const started = await call("start_export", filter({ brand: "CXL" }))
        const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
        const controller = new AbortController()
        const following = server!.client.callTool(
          "get_export_task",
          { asyncTaskId: id, waitSeconds: 120 },
          { signal: controller.signal, onprogress: () => controller.abort(), timeout: 150_000 }
        )
        await expect(following).rejects.toThrow()
        await expect(server!.client.alive()).resolves.toBeUndefined()
        const now = await call("get_export_task", { asyncTaskId: id, waitSeconds: 0 })
        expect(now.isError).toBeFalsy()
      })

      it("reports an unknown task and a malformed id", async () => {
        await connect()
        const missing = await call("get_export_task", { asyncTaskId: "0123456789abcdef0123456789abcdef" })
        expect(missing.isError).toBe(true)
        expect(textOf(missing)).toMatch(/Next step/)
        const malformed = await call("get_export_task", { asyncTaskId: "nope", waitSeconds: -1 })
        expect(malformed.isError).toBe(true)
        expect(textOf(malformed)).toContain("asyncTaskId: must be a task id")
        expect(textOf(malformed)).toContain("waitSeconds: must be a whole number of seconds, 0 or more")
      })

      it("clamps a long wait to 50 s and says so, instead of refusing it", async () => {
        await connect()
        const started = await call("start_export", filter({ brand: "CLM" }))
        const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
        const followed = await server!.client.callTool(
          "get_export_task",
          { asyncTaskId: id, waitSeconds: 3600 },
          { timeout: 90_000 }
        )
        expect(followed.isError).toBeFalsy()
        expect(followed.structuredContent).toMatchObject({ statusKind: "completed", waitClampedTo: 50 })
        expect(textOf(followed)).toContain("waitSeconds 3600 was above the maximum")
      })

      it("notifies progress at least every 5 s while the task stands still", async () => {
        const still = await startSandbox({ taskDurationMs: 60 * 60_000 })
        try {
          await connect([], sandboxEnv(still))
          const started = await call("start_export", filter({ brand: "HRT" }))
          const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
          const progress: Array<number> = []
          const followed = await server!.client.callTool(
            "get_export_task",
            { asyncTaskId: id, waitSeconds: 12 },
            { onprogress: (p) => progress.push(p.progress), timeout: 60_000 }
          )
          expect(followed.structuredContent).toMatchObject({ finished: false })
          expect(textOf(followed)).toContain("call get_export_task again")
          // one report of the percentage, then a heartbeat every 5 s: at least three in 12 s
          expect(progress.length).toBeGreaterThanOrEqual(3)
          for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!)
        } finally {
          await still.close()
        }
      })
    })

    describe("list_export_tasks", () => {
      it("lists tasks by status, within a limit", async () => {
        const slow = await startSandbox({ taskDurationMs: 10 * 60_000 })
        try {
          await connect([], sandboxEnv(slow))
          const first = await call("start_export", filter({ brand: "VCA" }))
          const second = await call("start_export", filter({ brand: "VCA", posCodes: ["FR300"] }))
          const ids = [first, second].map(
            (result) => (result.structuredContent as { asyncTaskId: string }).asyncTaskId
          )
          const listed = await call("list_export_tasks", {})
          expect(listed.isError).toBeFalsy()
          const all = listed.structuredContent as {
            tasks: Array<{ asyncTaskId: string; requestDate: string }>
            matching: number
          }
          expect(all.matching).toBe(2)
          for (const task of all.tasks) expect(task.requestDate).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/)
          expect(JSON.stringify(listed)).not.toContain("Date(")
          expect(new Set(all.tasks.map((task) => task.asyncTaskId))).toEqual(new Set(ids))
          const limited = await call("list_export_tasks", { limit: 1 })
          expect(limited.structuredContent).toMatchObject({ matching: 2, tasks: [expect.any(Object)] })
          expect(textOf(limited)).toContain("the newest 1 shown")
          const requested = await call("list_export_tasks", { status: "REQUESTED" })
          expect((requested.structuredContent as { matching: number }).matching).toBe(2)
          const errors = await call("list_export_tasks", { status: "error" })
          expect(errors.structuredContent).toMatchObject({ tasks: [], matching: 0 })
          expect(textOf(errors)).toBe("No error export tasks.")
          const bad = await call("list_export_tasks", { status: "done", limit: 0 })
          expect(bad.isError).toBe(true)
          expect(textOf(bad)).toContain("status: must be one of")
          expect(textOf(bad)).toContain("limit")
        } finally {
          await slow.close()
        }
      })
    })

    describe("download_export_file", () => {
      it("downloads a finished export into the export directory and returns facts, not contents", async () => {
        await connect()
        const started = await call("start_export", filter({ brand: "MTB" }))
        const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId

        const early = await call("download_export_file", { asyncTaskId: id })
        expect(early.isError).toBe(true)
        expect(textOf(early)).toContain("get_export_task")

        await server!.client.callTool(
          "get_export_task",
          { asyncTaskId: id, waitSeconds: 60 },
          { timeout: 90_000 }
        )
        const result = await call("download_export_file", { asyncTaskId: id })
        expect(result.isError).toBeFalsy()
        const out = result.structuredContent as {
          path: string
          bytes: number
          sha256: string
          contentType: string
        }
        expect(out.path.startsWith(dirs.exportDir)).toBe(true)
        const bytes = await readFile(out.path)
        expect(out.bytes).toBe(bytes.length)
        expect(out.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
        expect(out.contentType).toMatch(/csv|octet|text/)
        const firstLine = bytes.toString("utf8").split("\n")[0]!
        expect(JSON.stringify(result)).not.toContain(firstLine)

        expect(result.content).toContainEqual(
          expect.objectContaining({
            type: "resource_link",
            uri: pathToFileURL(out.path).href,
            size: out.bytes,
            mimeType: out.contentType
          })
        )

        const again = await call("download_export_file", { asyncTaskId: id })
        expect(again.structuredContent).toMatchObject({
          path: out.path,
          sha256: out.sha256,
          alreadyPresent: true
        })
        expect(again.content).toContainEqual(
          expect.objectContaining({
            type: "resource_link",
            uri: pathToFileURL(out.path).href,
            size: out.bytes
          })
        )

        // the download's record names the start it answers, and when retention may delete the file
        const { fingerprint, downloadRequestId } = started.structuredContent as {
          fingerprint: string
          downloadRequestId: string
        }
        const journal = await readJournal(dirs.journal)
        expect(journal.at(-1)).toMatchObject({
          source: "mcp",
          event: "downloaded",
          asyncTaskId: id,
          fingerprint,
          downloadRequestId,
          file: out.path,
          bytes: out.bytes,
          sha256: out.sha256,
          expiresAt: expect.any(String)
        })
      })

      it("reports a cut-off download and leaves no partial file", async () => {
        const quick = await startSandbox({ taskDurationMs: 0 })
        try {
          await connect([], sandboxEnv(quick))
          const started = await call("start_export", filter({ brand: "TRU" }))
          const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
          quick.faults.add({ route: "download", fault: { kind: "truncate", afterBytes: 10 }, times: 100 })
          const result = await call("download_export_file", { asyncTaskId: id })
          expect(result.isError).toBe(true)
          expect(textOf(result)).toMatch(/Next step: .+/)
          expect(await readdir(dirs.exportDir).catch(() => [])).toEqual([])
          quick.faults.clear()
          const retried = await call("download_export_file", { asyncTaskId: id })
          expect(retried.isError).toBeFalsy()
          expect(await readdir(dirs.exportDir)).toHaveLength(1)
        } finally {
          await quick.close()
        }
      })

      it("reports an unknown task", async () => {
        await connect()
        const result = await call("download_export_file", { asyncTaskId: "0123456789abcdef0123456789abcdef" })
        expect(result.isError).toBe(true)
      })
    })

    describe("read-only mode", () => {
      it("lists only the read tools and refuses to start", async () => {
        const client = await connect(["--read-only"])
        const { tools } = await client.listTools()
        expect(tools.map((tool) => tool.name)).toEqual([
          "preview_export",
          "get_export_task",
          "list_export_tasks",
          "summarize_export_file",
          "list_schedules",
          "describe_schedule"
        ])
        const before = sandbox.tasksCreated()
        const result = await call("start_export", filter())
        expect(result.isError).toBe(true)
        expect(textOf(result)).toContain("--read-only")
        expect(sandbox.tasksCreated()).toBe(before)
      })
    })

    describe("robustness", () => {
      it("answers malformed arguments with a structured error and keeps serving", async () => {
        const client = await connect()
        const result = await call("start_export", { brand: 42, posCodes: "ES100", interests: [{}] })
        expect(result.isError).toBe(true)
        expect(result.content).toEqual([{ type: "text", text: expect.stringContaining("brand") }])
        expect(textOf(result)).toContain("interests[0].interest")
        await expect(client.alive()).resolves.toBeUndefined()
        const preview = await call("preview_export", filter())
        expect(preview.isError).toBeFalsy()
      })

      it("answers an unknown tool with a protocol error", async () => {
        const client = await connect()
        await expect(client.callTool("drop_everything", {})).rejects.toThrow(/Unknown tool/)
        await expect(client.alive()).resolves.toBeUndefined()
      })

      it("serves 100 concurrent calls, and concurrent identical starts create one task", async () => {
        await connect()
        const before = sandbox.tasksCreated()
        const calls = Array.from({ length: 100 }, (_, i) =>
          i % 4 === 0
            ? call("start_export", filter({ brand: "BAU" }))
            : i % 4 === 1
              ? call("list_export_tasks", { limit: 5 })
              : call("preview_export", filter({ posCodes: [`P${i}`] }))
        )
        const results = await Promise.all(calls)
        expect(results.every((result) => !result.isError)).toBe(true)
        const ids = new Set(
          results
            .filter((_, i) => i % 4 === 0)
            .map((result) => (result.structuredContent as { asyncTaskId: string }).asyncTaskId)
        )
        expect(ids.size).toBe(1)
        expect(sandbox.tasksCreated()).toBe(before + 1)
        const fingerprints = new Set(
          results
            .filter((_, i) => i % 4 >= 2)
            .map((result) => (result.structuredContent as { fingerprint: string }).fingerprint)
        )
        expect(fingerprints.size).toBe(50)
      })

      it("keeps stdout for protocol only", async () => {
        await connect([], { BOOSTER_LOG: "debug" })
        await call("start_export", filter({ brand: "ROG" }))
        await call("list_export_tasks", {})
        expect(server!.stderr()).toContain("start_export succeeded")
        expect(server!.stderr()).not.toContain(sandbox.apiKey)
      })
    })
  })

  if (options.withoutCounts === true) withoutCounts()
}
