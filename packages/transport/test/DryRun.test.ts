import { ExportKind } from "@booster-export/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as DryRun from "../src/DryRun.js"
import { Auth } from "../src/index.js"
import { clientFor, filter, sandbox, testKey } from "./support.js"

describe("DryRun.make", () => {
  it.scopedLive("shows the request the client's dryRun shows, without the client, and sends nothing", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const headers = { "X-Session-Token": "tok-value", "x-booster-App": "crm" }
      const client = yield* clientFor(sb, { headers })
      const input = { ...filter, email: "ann@example.com" }
      const viaClient = yield* client.dryRun(input, { downloadRequestId: "d-1" })
      const alone = yield* DryRun.make(
        { baseUrl: sb.baseUrl, auth: Auth.bearer(sb.apiKey), headers, fingerprintKey: testKey },
        input,
        { downloadRequestId: "d-1" }
      )
      expect(alone).toEqual(viaClient)
      expect(alone.headers.authorization).toBe("<redacted>")
      expect(alone.headers["x-session-token"]).toBe("<redacted>")
      expect(sb.requests()).toEqual([])
    })
  )

  it.scopedLive("takes the kind first, by name or value, as the client's dryRun does", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      const options = { baseUrl: sb.baseUrl, auth: Auth.bearer(sb.apiKey), fingerprintKey: testKey }
      const stock = { brand: "CAR" }
      const viaClient = yield* client.dryRun("stock", stock, { downloadRequestId: "d-2" })
      const byName = yield* DryRun.make(options, "stock", stock, { downloadRequestId: "d-2" })
      const byValue = yield* DryRun.make(options, ExportKind.Stock, stock, { downloadRequestId: "d-2" })
      expect(byName).toEqual(viaClient)
      expect(byValue).toEqual(viaClient)
      expect(new URL(byName.url).pathname).toMatch(/\/stock\/CAR\/export$/)
      expect(sb.requests()).toEqual([])
    })
  )

  it.effect("refuses an unusable base URL and an invalid filter as building and using the client do", () =>
    Effect.gen(function* () {
      const noBase = yield* Effect.flip(
        DryRun.make({ baseUrl: "", auth: Auth.none, fingerprintKey: testKey }, filter)
      )
      expect(noBase).toMatchObject({ _tag: "InvalidConfigError", field: "baseUrl" })
      const plain = yield* Effect.flip(
        DryRun.make(
          { baseUrl: "http://booster.example.com", auth: Auth.none, fingerprintKey: testKey },
          filter
        )
      )
      expect(plain).toMatchObject({ _tag: "InvalidConfigError", field: "baseUrl" })
      const invalid = yield* Effect.flip(
        // @ts-expect-error posCodes is required
        DryRun.make(
          { baseUrl: "https://booster.example.com/api", auth: Auth.none, fingerprintKey: testKey },
          ExportKind.Customer,
          { brand: "CAR" }
        )
      )
      expect(invalid).toMatchObject({ _tag: "ValidationError" })
      const noKind = yield* Effect.flip(
        DryRun.make(
          { baseUrl: "https://booster.example.com/api", auth: Auth.none, fingerprintKey: testKey },
          // @ts-expect-error "stocks" is no export kind's name
          "stocks",
          { brand: "CAR" }
        )
      )
      expect(noKind).toMatchObject({ _tag: "ValidationError", issues: [{ rule: "kind" }] })
    })
  )
})
