import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Logger, Stream } from "effect"
import { clientFor, filter, sandbox } from "./support.js"

describe("debug logging", () => {
  it.scopedLive(
    "logs method, redacted URL, status, attempt and duration — never secrets or personal data",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("tasks", [{ kind: "status", status: 503 }])
        const lines: Array<Record<string, unknown>> = []
        const capture = Logger.make(({ annotations, logLevel, message }) => {
          lines.push({
            level: logLevel.label,
            message,
            ...Object.fromEntries(HashMap.toEntries(annotations))
          })
        })
        const client = yield* clientFor(sb, { logLevel: "debug" })
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-log-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
        yield* Effect.gen(function* () {
          const { asyncTaskId } = yield* client.startExport({ ...filter, email: "ann.secret@example.com" })
          yield* Stream.runDrain(client.followTask(asyncTaskId))
          yield* client.listTasks()
          yield* client.download(asyncTaskId, path.join(dir, "x.csv"))
        }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
        const text = JSON.stringify(lines)
        expect(text).not.toContain(sb.apiKey)
        expect(text).not.toContain("ann.secret")
        expect(text).not.toMatch(/signature=[0-9a-f]/)
        expect(lines).toContainEqual(
          expect.objectContaining({
            method: "POST",
            url: `${sb.baseUrl}/customer/CAR/export`,
            status: "200",
            attempt: 1
          })
        )
        expect(lines).toContainEqual(expect.objectContaining({ method: "GET", status: "503", attempt: 1 }))
        expect(lines).toContainEqual(expect.objectContaining({ method: "GET", status: "200", attempt: 2 }))
        const download = lines.find((l) => String(l.url).startsWith(sb.storageUrl))
        expect(download?.url).toMatch(/\.csv\?<redacted>$/)
        expect(lines.every((l) => l.level === "DEBUG" && typeof l.durationMs === "number")).toBe(true)
      })
  )

  it.scopedLive("logs nothing at the default level", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const lines: Array<unknown> = []
      const client = yield* clientFor(sb)
      yield* client.listTasks().pipe(
        Effect.provide(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make((o) => lines.push(o))
          )
        )
      )
      expect(lines).toEqual([])
    })
  )
})
