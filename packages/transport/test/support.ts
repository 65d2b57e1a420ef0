import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Fingerprint } from "@booster-export/core"
import { type Faults, Sandbox } from "@booster-export/sandbox"
import { Context, Effect, Layer } from "effect"
import { Auth, BoosterClient, type BoosterConfig } from "../src/index.js"
import { selfSigned } from "./fixtures/certificate.js"

export const filter = { brand: "CAR", posCodes: ["P001"] }

/** A fixed fingerprint key, so that tests never create the per-install key of the real home. */
export const testKey = Fingerprint.key(new Uint8Array(32).fill(3))

/** A sandbox for the test's scope. */
export const sandbox = (options: Sandbox.SandboxOptions = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => Sandbox.start({ customers: 200, taskDurationMs: 0, ...options })),
    (sb) => Effect.promise(() => sb.close())
  )

/** Fast retries for tests that run on the real clock. */
export const fast: BoosterConfig.RetryOptions = { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 }

/** A client for the test's scope. */
export const clientFor = (
  sb: { baseUrl: string; apiKey: string },
  options: Partial<BoosterConfig.Options> = {}
) =>
  Effect.map(
    Layer.build(
      BoosterClient.layer({
        baseUrl: sb.baseUrl,
        auth: Auth.bearer(sb.apiKey),
        retry: fast,
        poll: { initialMs: 10, maxMs: 50 },
        fingerprintKey: testKey,
        ...options
      })
    ),
    (context) => Context.get(context, BoosterClient.BoosterClient)
  )

/** Waits on the real clock (not the test clock). */
export const realSleep = (ms: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits on the real clock until `condition` holds (at most `ms`). */
export const waitFor = (condition: () => boolean, ms = 10_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.dieMessage("condition not reached in time")
      yield* realSleep(5)
    }
  })

/** A small HTTP server for what the sandbox does not serve (token endpoints, stalling downloads). */
export const server = (handler: http.RequestListener) => serverOn(http.createServer(handler), "http")

/**
 * The same over TLS, with a throw-away certificate for 127.0.0.1 and localhost; `ca` is the
 * certificate to trust.
 */
export const tlsServer = (handler: http.RequestListener) =>
  Effect.flatMap(certificate, (tls) =>
    Effect.map(serverOn(https.createServer(tls, handler), "https"), (s) => ({ ...s, ca: tls.cert }))
  )

const serverOn = (s: http.Server, scheme: "http" | "https") =>
  Effect.acquireRelease(
    Effect.async<{ url: string; server: http.Server }>((resume) => {
      s.listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo
        resume(Effect.succeed({ url: `${scheme}://127.0.0.1:${port}`, server: s }))
      })
    }),
    ({ server: s }) =>
      Effect.async<void>((resume) => {
        s.closeAllConnections()
        s.close(() => resume(Effect.void))
      })
  )

/** A throw-away self-signed certificate for 127.0.0.1 and localhost, made with openssl, for the test's scope. */
export const certificate = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "booster-cert-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => {
    const { key, cert } = selfSigned(dir)
    return { key: readFileSync(key), cert: readFileSync(cert) }
  }
)

/**
 * Sends the first `size` bytes of `content` in uneven pieces (70,001 bytes), honouring
 * back-pressure, then ends the response.
 */
export const sendInPieces = (res: http.ServerResponse, content: Buffer, size: number): void => {
  let sent = 0
  const pump = () => {
    while (sent < size) {
      const piece = content.subarray(sent, Math.min(size, sent + 70_001))
      sent += piece.length
      if (!res.write(piece)) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

export const apiRequests = (sb: Sandbox.RunningSandbox) => sb.requests().filter((r) => r.origin === "api")
export const exportPosts = (sb: Sandbox.RunningSandbox) =>
  sb.requests().filter((r) => r.origin === "api" && r.method === "POST")

/** The sandbox's "create the task, then fail the answer" fault. */
export const createThenFail = (outcome: 500 | 502 | 504 | "reset" | "timeout"): Faults.Fault => ({
  kind: "create-then-fail",
  after: outcome
})
