/**
 * The hostile suite: a misbehaving or compromised API and storage, stood up on 127.0.0.1 (over TLS
 * with a throw-away certificate where the rule is about TLS), and what the client refuses to do.
 */
import * as fs from "node:fs"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { ApiMetadata } from "@booster-export/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, HashMap, Layer, Logger } from "effect"
import { Auth, BoosterClient, BoosterConfig, type BoosterError, Redact, Scrub } from "../src/index.js"
import { taskAt } from "./fixtures/task.js"
import { certificate, clientFor, filter, sandbox, server } from "./support.js"

const GUID = taskAt("").asyncTaskId

/** A plain-http server that counts what reaches it: the attacker's endpoint. */
const attacker = () => {
  const seen = { hits: 0 }
  return Effect.map(
    server((_req, res) => {
      seen.hits++
      res.writeHead(200, { "content-type": "application/json" })
      res.end('{"access_token":"stolen","expires_in":3600}')
    }),
    ({ url }) => ({ url, seen })
  )
}

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "booster-hostile-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** An https API on 127.0.0.1 answering every task read with `task`; records the paths it saw. */
const httpsApi = (task: unknown) =>
  Effect.gen(function* () {
    const tls = yield* certificate
    const paths: Array<string> = []
    const s = https.createServer(tls, (req, res) => {
      paths.push(req.url ?? "")
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(task))
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        s.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          s.closeAllConnections()
          s.close(() => resume(Effect.void))
        })
    )
    const { port } = s.address() as AddressInfo
    return { url: `https://127.0.0.1:${port}`, ca: tls.cert, paths }
  })

/** A client over Node's HTTP stack trusting `ca` (the throw-away certificate). */
const tlsClient = (options: BoosterConfig.Options, ca: Buffer) =>
  Effect.map(
    Layer.build(
      BoosterClient.layerWith(options).pipe(
        Layer.provide(NodeHttpClient.layerWithoutAgent),
        Layer.provide(NodeHttpClient.makeAgentLayer({ ca }))
      )
    ),
    (context) => Context.get(context, BoosterClient.BoosterClient)
  )

const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result) ? Effect.succeed(result.left) : Effect.dieMessage("expected a failure")
  )

describe("no scheme downgrade, no stray scheme, no private download host", () => {
  it.scopedLive("an https API with a plain-http token URL: refused before a byte is sent", () =>
    Effect.gen(function* () {
      const evil = yield* attacker()
      const error = yield* failureOf(
        clientFor(
          { baseUrl: "https://127.0.0.1:9", apiKey: "" },
          {
            auth: Auth.oauth2ClientCredentials({
              tokenUrl: `${evil.url}/oauth/token`,
              clientId: "c",
              clientSecret: "s3cret-value"
            })
          }
        )
      )
      expect(error).toMatchObject({ _tag: "InvalidConfigError", field: "auth.tokenUrl" })
      expect(JSON.stringify(error)).not.toContain("s3cret-value")
      expect(evil.seen.hits).toBe(0)
    })
  )

  it.scopedLive("an https API (real TLS) handing out a plain-http download URL: nothing reaches it", () =>
    Effect.gen(function* () {
      const evil = yield* attacker()
      const api = yield* httpsApi(taskAt(`${evil.url}/files/${GUID}.csv?signature=abc`))
      const dir = yield* tempDir
      const client = yield* tlsClient({ baseUrl: api.url, auth: Auth.bearer("k") }, api.ca)
      const error = yield* failureOf(client.download(GUID, path.join(dir, "out.csv")))
      expect(error).toMatchObject({ _tag: "DownloadError", reason: "unsafe-url" })
      expect(error.message).toContain("plain http")
      expect(api.paths).toEqual([`/tasks/${GUID}`])
      expect(evil.seen.hits).toBe(0)
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )

  it.scopedLive(
    "download URLs on the metadata address, a private host, file: or ftp:, or with a broken escape: typed refusals",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        const dir = yield* tempDir
        const client = yield* clientFor(sb)
        const { asyncTaskId } = yield* client.startExport(filter)
        const cases = [
          ["https://169.254.169.254/latest/meta-data/iam", "link-local"],
          ["https://[fe80::1]/f.csv", "link-local"],
          ["https://10.0.0.7/f.csv", "private"],
          ["https://100.64.0.1/f.csv", "private"],
          ["https://[::ffff:a00:7]/f.csv", "private"],
          ["http://169.254.169.254/latest/meta-data/iam", "plain http"],
          ["file:///etc/passwd", "file scheme"],
          ["ftp://127.0.0.1/f.csv", "ftp scheme"],
          [`${sb.storageUrl}/files/%E0%A4%A.csv`, "malformed"],
          [`http://user:pw@127.0.0.1:${new URL(sb.storageUrl).port}/f.csv`, "user name or password"]
        ] as const
        for (const [url, expected] of cases) {
          sb.faults.script("task", [{ kind: "download-url", url }])
          const error = yield* failureOf(client.download(asyncTaskId, path.join(dir, "out.csv")))
          expect({ url, tag: error._tag, reason: "reason" in error ? error.reason : undefined }).toEqual({
            url,
            tag: "DownloadError",
            reason: "unsafe-url"
          })
          expect(error.message).toContain(expected)
          expect(error.message).not.toContain(":pw@")
        }
        expect(sb.requests().filter((r) => r.origin === "storage")).toEqual([])
      })
  )

  it.scopedLive("allowPrivateDownloadHosts lets a download reach a private host on purpose", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb, { allowPrivateDownloadHosts: true, timeoutMs: 300 })
      const { asyncTaskId } = yield* client.startExport(filter)
      sb.faults.script("task", [{ kind: "download-url", url: "https://169.254.0.1:9/f.csv" }])
      const error = yield* failureOf(client.download(asyncTaskId, path.join(dir, "out.csv")))
      // not refused by the policy: it tried, and the network failed
      expect(error._tag).not.toBe("DownloadError")
    })
  )

  it("refuses user info in the base URL without repeating the password", () => {
    const result = BoosterConfigResolve({ baseUrl: "https://ann:hunter22@booster.example.com" })
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "InvalidConfigError",
      field: "baseUrl"
    })
    expect(JSON.stringify(Either.isLeft(result) ? result.left : {})).not.toContain("hunter22")
  })

  it("loopback means 127.0.0.0/8, ::1 and localhost only: *.localhost needs https", () => {
    expect(Either.isRight(BoosterConfigResolve({ baseUrl: "http://127.1.2.3:8080" }))).toBe(true)
    expect(Either.isRight(BoosterConfigResolve({ baseUrl: "http://[::1]:8080" }))).toBe(true)
    const sub = BoosterConfigResolve({ baseUrl: "http://api.localhost:8080" })
    expect(Either.isLeft(sub) && sub.left.field).toBe("baseUrl")
  })

  it("ties the insecure-http opt-out to the origin it was given for", () => {
    expect(
      Either.isRight(
        BoosterConfigResolve({
          baseUrl: "http://booster.lan:8080/api",
          allowInsecureHttp: "http://booster.lan:8080"
        })
      )
    ).toBe(true)
    const other = BoosterConfigResolve({
      baseUrl: "http://elsewhere.lan:8080",
      allowInsecureHttp: "http://booster.lan:8080"
    })
    expect(Either.isLeft(other) && other.left.field).toBe("allowInsecureHttp")
    // the opt-out covers the base origin only: a plain-http token URL on another host is refused
    const token = BoosterConfigResolve({
      baseUrl: "http://booster.lan:8080",
      allowInsecureHttp: true,
      auth: Auth.oauth2ClientCredentials({
        tokenUrl: "http://idp.lan/token",
        clientId: "c",
        clientSecret: "s"
      })
    })
    expect(Either.isLeft(token) && token.left.field).toBe("auth.tokenUrl")
  })

  it.scopedLive("the insecure-http opt-out logs a warning on every request sent under it", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      // 0.0.0.0 reaches this machine but is not loopback: plain http to it needs the opt-out
      const baseUrl = sb.baseUrl.replace("127.0.0.1", "0.0.0.0")
      const refused = yield* failureOf(clientFor({ ...sb, baseUrl }))
      expect(refused).toMatchObject({ _tag: "InvalidConfigError", field: "baseUrl" })
      const warnings: Array<string> = []
      const capture = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(String(message))
      })
      const client = yield* clientFor({ ...sb, baseUrl }, { allowInsecureHttp: true })
      yield* Effect.all([client.listTasks(), client.listTasks()]).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture))
      )
      expect(warnings).toHaveLength(2)
      expect(warnings[0]).toContain("allowInsecureHttp")
    })
  )

  it.scopedLive(
    "a key with a line break is a configuration error, never a request retried as transient",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        const error = yield* failureOf(clientFor(sb, { auth: Auth.bearer(`${sb.apiKey}\r\nX-Evil: 1`) }))
        expect(error).toMatchObject({ _tag: "InvalidConfigError", field: "auth.token" })
        expect(JSON.stringify(error)).not.toContain(sb.apiKey)
        const header = yield* failureOf(clientFor(sb, { headers: { "x-booster-App": "crm\n" } }))
        expect(header).toMatchObject({ _tag: "InvalidConfigError", field: "headers.x-booster-App" })
        expect(sb.requests()).toEqual([])
      })
  )
})

describe("files holding personal data are the owner's alone", () => {
  it.scopedLive("the downloaded file is created 0600 (whatever the umask allows others)", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const previous = process.umask(0o000)
      const result = yield* client
        .download(asyncTaskId, path.join(dir, "out.csv"))
        .pipe(Effect.ensuring(Effect.sync(() => process.umask(previous))))
      expect(fs.statSync(result.path).mode & 0o777).toBe(0o600)
      expect(fs.readdirSync(dir)).toEqual(["out.csv"])
    })
  )
})

describe("server text never repeats personal values", () => {
  it.scopedLive("an echoing 400: the email is absent from the message, the JSON and the logs", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("export", [{ kind: "echo" }])
      const lines: Array<unknown> = []
      const capture = Logger.make(({ annotations, message }) => {
        lines.push({ message, ...Object.fromEntries(HashMap.toEntries(annotations)) })
      })
      const client = yield* clientFor(sb, { logLevel: "debug" })
      const error = yield* failureOf(
        client
          .startExport({
            ...filter,
            email: "Victim@Example.com",
            saleRepresentativeEmails: ["rep.one@example.com"]
          })
          .pipe(
            Effect.tapError((e) => Effect.logError(e.message)),
            Effect.provide(Logger.replace(Logger.defaultLogger, capture))
          )
      )
      expect(error).toMatchObject({ _tag: "ServerError", status: 400, sent: true })
      const shown = [error.message, JSON.stringify(error), JSON.stringify(lines)].join("\n")
      expect(shown.toLowerCase()).not.toContain("victim")
      expect(shown).not.toContain("rep.one")
      expect(shown).toContain(Scrub.PLACEHOLDER)
      expect(shown).not.toMatch(/[\u001b\u0007\u009b]/)
      expect(error.message).toContain("fields: email")
    })
  )
})

describe("server text never carries a URL's credentials", () => {
  it.scopedLive(
    "a 403 quoting a signed URL with user info: neither its password nor its query reaches the error",
    () =>
      Effect.gen(function* () {
        const { url } = yield* server((_req, res) => {
          res.writeHead(403, { "content-type": "application/json" })
          res.end(
            JSON.stringify({
              responseStatus: {
                errorCode: "Forbidden",
                message: "Not yours: https://alice:hunter2@files.example/x.csv?X-Amz-Signature=deadbeef#f",
                errors: [{ errorCode: "Forbidden", fieldName: "brand", message: "see postgres://u:pw@db/x" }]
              }
            })
          )
        })
        const client = yield* clientFor({ baseUrl: url, apiKey: "k" })
        const error = yield* failureOf(client.getTask("00000000000000000000000000000001"))
        const shown = [error.message, JSON.stringify(error)].join("\n")
        expect(error).toMatchObject({ _tag: "PermissionError", status: 403 })
        expect(shown).not.toMatch(/hunter2|deadbeef|alice|u:pw/)
        expect(shown).toContain("https://files.example/x.csv?<redacted>")
      })
  )
})

describe("bounded everything", () => {
  it.scopedLive("a JSON answer above the cap fails with ServerError without being read whole", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb, { maxResponseBytes: 64 * 1024 })
      const { asyncTaskId } = yield* client.startExport(filter)
      sb.faults.script("task", [{ kind: "oversize", bytes: 8 * 1024 * 1024 }])
      const error = yield* failureOf(client.getTask(asyncTaskId))
      expect(error).toMatchObject({ _tag: "ServerError", status: 200 })
      expect(error.message).toContain(`more than ${64 * 1024} bytes`)
    })
  )

  it.scopedLive("the API's metadata is read through the same cap: 3 GiB streamed fails at 32 MiB", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      sb.faults.script("metadata", [{ kind: "oversize", bytes: 3 * 1024 ** 3 }])
      const error = yield* failureOf(client.apiMetadata())
      expect(error).toMatchObject({ _tag: "ServerError", status: 200 })
      expect(error.message).toContain(`more than ${32 * 1024 * 1024} bytes`)
      // in step with the sandbox once the fault is used up
      expect(ApiMetadata.compare(yield* client.apiMetadata()).differences).toEqual([])
    })
  )

  it.scopedLive("a metadata document nesting a type 20,000 deep is refused with a typed error", () =>
    Effect.gen(function* () {
      const doc = JSON.parse(JSON.stringify(ApiMetadata.document()))
      doc.types[0].properties.push({
        name: "Deep",
        type: `${"List<".repeat(20_000)}String${">".repeat(20_000)}`
      })
      const sb = yield* sandbox({ metadata: doc })
      const client = yield* clientFor(sb)
      const error = yield* failureOf(client.apiMetadata())
      expect(error).toMatchObject({ _tag: "ServerError", status: 200, sent: true })
      expect(error.message).toContain(`deeper than ${ApiMetadata.MAX_TYPE_DEPTH} levels`)
    })
  )

  it.scopedLive(
    "a JSON answer announcing more than the cap fails with ServerError without waiting for it",
    () =>
      Effect.gen(function* () {
        // announces 8 MiB, sends a little, then holds the connection open
        const api = yield* server((_req, res) => {
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": String(8 * 1024 * 1024)
          })
          res.write('{"asyncTaskId":"')
        })
        const client = yield* clientFor(
          { baseUrl: api.url, apiKey: "k" },
          { maxResponseBytes: 64 * 1024, timeoutMs: 20_000, retry: { maxRetries: 0 } }
        )
        const error = yield* failureOf(client.getTask(GUID))
        expect(error).toMatchObject({ _tag: "ServerError", status: 200 })
        expect(error.message).toContain(`more than ${64 * 1024} bytes`)
      })
  )

  it.scopedLive("a download trickling a byte every 500 ms ends with a typed error and no file", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb, { downloadIdleTimeoutMs: 1_000, downloadMinBytesPerSecond: 64 })
      const { asyncTaskId } = yield* client.startExport(filter)
      sb.faults.script("download", [{ kind: "trickle", ms: 500 }])
      const error = yield* failureOf(client.download(asyncTaskId, path.join(dir, "out.csv")))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect(error.message).toContain("too slow")
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )

  it.scopedLive("a download past its overall deadline ends with a typed error and no file", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb, {
        downloadIdleTimeoutMs: 5_000,
        downloadMinBytesPerSecond: 0,
        downloadTimeoutMs: 1_200
      })
      const { asyncTaskId } = yield* client.startExport(filter)
      sb.faults.script("download", [{ kind: "trickle", ms: 100 }])
      const error = yield* failureOf(client.download(asyncTaskId, path.join(dir, "out.csv")))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect(error.message).toContain("did not finish within 1 s")
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )
})

describe("route segments are safe", () => {
  it.scopedLive("a brand is percent-encoded into its segment; a dots-only brand is refused unsent", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      yield* Effect.either(client.startExport({ ...filter, brand: "C/A?R#" }))
      expect(sb.requests().map((r) => r.path)).toEqual(["/customer/C%2FA%3FR%23/export"])
      const error = yield* failureOf(client.startExport({ ...filter, brand: ".." }))
      expect(error).toMatchObject({ _tag: "ValidationError" })
      expect(JSON.stringify(error)).toContain("route-segment")
      expect(sb.requests()).toHaveLength(1)
    })
  )
})

describe("credential-like headers are redacted wherever shown", () => {
  it.scopedLive(
    "dryRun shows one authorization (the configured credential) and redacts token-like headers",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        const client = yield* clientFor(sb, {
          headers: {
            Authorization: "Bearer profile-value",
            "X-Session-Token": "tok-value",
            "X-Session-Id": "session-value",
            "X-Amz-Signature": "signature-value",
            "x-booster-App": "crm"
          }
        })
        const dry = yield* client.dryRun(filter)
        const names = Object.keys(dry.headers).map((name) => name.toLowerCase())
        expect(names.filter((name) => name === "authorization")).toHaveLength(1)
        expect(dry.headers.authorization).toBe("<redacted>")
        expect(dry.headers["x-session-token"]).toBe("<redacted>")
        expect(dry.headers["x-session-id"]).toBe("<redacted>")
        expect(dry.headers["x-amz-signature"]).toBe("<redacted>")
        expect(dry.headers["x-booster-app"]).toBe("crm")
        expect(JSON.stringify(dry)).not.toMatch(/profile-value|tok-value|session-value|signature-value/)
        expect(sb.requests()).toEqual([])
      })
  )

  it("Redact.headers and Redact.url", () => {
    expect(
      Redact.headers({
        Cookie: "a=1",
        "X-Api-Key": "k",
        "Proxy-Authorization": "p",
        Accept: "application/json"
      })
    ).toEqual({
      Cookie: "<redacted>",
      "X-Api-Key": "<redacted>",
      "Proxy-Authorization": "<redacted>",
      Accept: "application/json"
    })
    expect(Redact.url("https://u:p@s3.example.com/b/f.csv?X-Amz-Signature=abc&expires=1#x")).toBe(
      "https://s3.example.com/b/f.csv?<redacted>"
    )
    expect(Redact.url("https://s3.example.com/b/f.csv")).toBe("https://s3.example.com/b/f.csv")
  })
})

const BoosterConfigResolve = (options: BoosterConfig.Options) =>
  Either.mapLeft(BoosterConfig.resolve(options), (e): BoosterError.InvalidConfigError => e)
