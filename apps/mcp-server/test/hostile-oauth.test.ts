/**
 * `booster-mcp --http --oauth-issuer` attacked: a hostile authorization server (discovery and key
 * set) on 127.0.0.1, hostile clients placing tokens where they should not, and another team member
 * reusing what a first one obtained. Each attacker is a real HTTP server or client; the server is
 * the built binary, talked to with raw HTTP or the official SDK client.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Sandbox } from "@booster-export/sandbox"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { exportJWK, generateKeyPair, SignJWT } from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { MAX_NAME_LENGTH, printable } from "../src/server/actor.js"
import { refusedKeysUrl } from "../src/server/oauth.js"
import {
  filter,
  type HttpProcess,
  readJournal,
  sandboxEnv,
  serverEnv,
  startHttp,
  startSandbox,
  tempDirs,
  textOf
} from "./harness.js"

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>

/** What the hostile authorization server answers on a path, or undefined for its honest answer. */
type Answer = (req: IncomingMessage, res: ServerResponse) => boolean

/**
 * An authorization server on 127.0.0.1 that counts every request per path; `answer` may take over
 * any request (a failing, endless or lying answer).
 */
const startIssuer = async (key: KeyPair, answer: Answer = () => false, jwksUri?: string) => {
  const jwk = { ...(await exportJWK(key.publicKey)), kid: "test-key", alg: "ES256", use: "sig" }
  const hits = new Map<string, number>()
  let origin = ""
  const server = createServer((req, res) => {
    const path = req.url ?? ""
    hits.set(path, (hits.get(path) ?? 0) + 1)
    if (answer(req, res)) return
    const metadata = {
      issuer: origin,
      token_endpoint: `${origin}/token`,
      jwks_uri: jwksUri ?? `${origin}/jwks`,
      response_types_supported: ["code"]
    }
    const body =
      path === "/jwks"
        ? { keys: [jwk] }
        : path === "/.well-known/oauth-authorization-server"
          ? metadata
          : undefined
    if (body === undefined) res.writeHead(404).end()
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer: origin,
    hits: (path: string) => hits.get(path) ?? 0,
    discoveries: () =>
      [...hits.entries()].filter(([path]) => path.startsWith("/.well-known/")).reduce((n, [, c]) => n + c, 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      })
  }
}

/** What an endless answer sent: bytes written, whether the reader hung up, and when it closed. */
interface Sent {
  bytes: number
  cut: boolean
  closed: () => void
  done: Promise<void>
}

const sending = (): Sent => {
  const sent = { bytes: 0, cut: false, closed: () => undefined } as Omit<Sent, "done">
  const done = new Promise<void>((resolve) => {
    sent.closed = resolve
  })
  return Object.assign(sent, { done })
}

/** An answer that never ends: JSON whitespace, as fast as the reader takes it, up to 64 MiB. */
const endless = (res: ServerResponse, sent: Sent) => {
  const limit = 64 * 1024 * 1024
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  let closed = false
  res.on("close", () => {
    closed = true
    sent.cut = !res.writableFinished
    sent.closed()
  })
  res.writeHead(200, { "content-type": "application/json" })
  const pump = () => {
    while (!closed && sent.bytes < limit) {
      sent.bytes += chunk.length
      if (!res.write(chunk)) {
        res.once("drain", pump)
        return
      }
    }
    if (!closed) res.end('{"keys":[]}')
  }
  pump()
  return true
}

let sandbox: Sandbox.RunningSandbox
let key: KeyPair
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
const cleanups: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
  key = await generateKeyPair("ES256")
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  await dirs?.remove()
  dirs = undefined
})

const serve = async (issuer: { readonly issuer: string }): Promise<HttpProcess> => {
  dirs = await tempDirs()
  const server = await startHttp(
    ["--oauth-issuer", issuer.issuer],
    serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_LOG: "debug" })
  )
  cleanups.push(server.stop)
  return server
}

const token = (
  issuer: string,
  audience: string | ReadonlyArray<string>,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {}
) =>
  new SignJWT({ scope: "exports:read exports:write", client_id: "assistant-app", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: "test-key", typ: "at+jwt", ...header })
    .setSubject(typeof claims.sub === "string" ? claims.sub : "user-4711")
    .setIssuer(issuer)
    .setAudience([...(typeof audience === "string" ? [audience] : audience)])
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(key.privateKey)

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
})

const post = (url: URL | string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers
    },
    body
  })

/** A POST with Node's own client, which can send a header twice. */
const rawPost = (url: URL, body: string, headers: Record<string, string | Array<string>>) =>
  new Promise<{ status: number; challenge: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers
        }
      },
      (res) => {
        res.resume()
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, challenge: String(res.headers["www-authenticate"] ?? "") })
        )
      }
    )
    req.on("error", reject)
    req.end(body)
  })

const connect = async (url: URL, accessToken: string) => {
  const client = new Client(
    { name: "hostile-oauth", version: "1.0.0" },
    { supportedProtocolVersions: ["2025-11-25"] }
  )
  await client.connect(
    new StreamableHTTPClientTransport(url, { authProvider: { token: async () => accessToken } })
  )
  cleanups.push(() => client.close())
  return client
}

const apiPosts = () => sandbox.requests().filter((r) => r.origin === "api" && r.method === "POST").length

describe("a hostile authorization server", () => {
  it("is not asked again on every request after its key set or its discovery failed", async () => {
    const failingKeys = await startIssuer(key, (req, res) => {
      if (req.url !== "/jwks") return false
      res.writeHead(500).end()
      return true
    })
    cleanups.push(failingKeys.close)
    const server = await serve(failingKeys)
    for (let i = 0; i < 6; i++) {
      const answer = await post(server.url, initialize, {
        authorization: `Bearer ${await token(failingKeys.issuer, server.url.href)}`
      })
      expect(answer.status).toBe(503)
    }
    expect(failingKeys.hits("/jwks")).toBe(1)

    const failingDiscovery = await startIssuer(key, (_req, res) => {
      res.writeHead(500).end()
      return true
    })
    cleanups.push(failingDiscovery.close)
    const second = await serve(failingDiscovery)
    for (let i = 0; i < 6; i++) {
      const answer = await post(second.url, initialize, {
        authorization: `Bearer ${await token(failingDiscovery.issuer, second.url.href)}`
      })
      expect(answer.status).toBe(503)
    }
    // one round of discovery (its two well-known documents), not one per request
    expect(failingDiscovery.discoveries()).toBeLessThanOrEqual(2)
  })

  it("cannot make the server read an endless discovery document or key set", async () => {
    const discoverySent = sending()
    const endlessDiscovery = await startIssuer(
      key,
      (req, res) => req.url === "/.well-known/oauth-authorization-server" && endless(res, discoverySent)
    )
    cleanups.push(endlessDiscovery.close)
    const server = await serve(endlessDiscovery)
    const answer = await post(server.url, initialize, {
      authorization: `Bearer ${await token(endlessDiscovery.issuer, server.url.href)}`
    })
    expect(answer.status).toBe(503)
    await discoverySent.done
    expect(discoverySent.cut).toBe(true)
    expect(discoverySent.bytes).toBeLessThan(16 * 1024 * 1024) // the socket buffers hold a few MiB

    const keysSent = sending()
    const endlessKeys = await startIssuer(key, (req, res) => req.url === "/jwks" && endless(res, keysSent))
    cleanups.push(endlessKeys.close)
    const second = await serve(endlessKeys)
    const refused = await post(second.url, initialize, {
      authorization: `Bearer ${await token(endlessKeys.issuer, second.url.href)}`
    })
    expect(refused.status).toBe(503)
    await keysSent.done
    expect(keysSent.cut).toBe(true)
    expect(keysSent.bytes).toBeLessThan(16 * 1024 * 1024) // the socket buffers hold a few MiB
    expect(second.stderr()).toMatch(/jwks_uri\) cannot be read: the answer is larger than/)
  })

  it("cannot send the server to an internal address through jwks_uri", async () => {
    for (const [jwksUri, kind] of [
      ["https://169.254.169.254/latest/meta-data/jwks", "link-local"],
      ["https://10.20.30.40/jwks", "private"]
    ] as const) {
      const lying = await startIssuer(key, () => false, jwksUri)
      cleanups.push(lying.close)
      const server = await serve(lying)
      const answer = await post(server.url, initialize, {
        authorization: `Bearer ${await token(lying.issuer, server.url.href)}`
      })
      expect(answer.status, jwksUri).toBe(503)
      expect(server.stderr(), jwksUri).toContain(`jwks_uri is on a ${kind} host while the issuer is not`)
    }
    // the rule for every issuer: no downgrade, no internal host unless the issuer is on one
    const publicIssuer = new URL("https://login.example.com/tenant/v2.0")
    const keysAt = (href: string) => refusedKeysUrl(new URL(href), publicIssuer)
    expect(keysAt("https://login.example.com/tenant/keys")).toBeUndefined()
    expect(keysAt("https://www.googleapis.com/oauth2/v3/certs")).toBeUndefined()
    expect(keysAt("http://127.0.0.1:8080/jwks")).toMatch(/plain http while the issuer is https/)
    expect(keysAt("https://127.0.0.1/jwks")).toMatch(/loopback host/)
    expect(keysAt("https://localhost/jwks")).toMatch(/loopback host/)
    expect(keysAt("https://[fd00::1]/jwks")).toMatch(/private host/)
    expect(keysAt("https://[::ffff:169.254.169.254]/jwks")).toMatch(/link-local host/)
    expect(keysAt("https://user:pw@login.example.com/keys")).toMatch(/user info/)
    expect(refusedKeysUrl(new URL("https://10.0.0.9/keys"), new URL("https://10.0.0.8/"))).toBeUndefined()
  })

  it("gets nowhere with forged tokens: another algorithm, an embedded key, a key URL, unknown key ids", async () => {
    const honest = await startIssuer(key)
    cleanups.push(honest.close)
    const server = await serve(honest)
    const audience = server.url.href
    const attacker = await generateKeyPair("ES256")
    const attackerJwk = await exportJWK(attacker.publicKey)
    const claims = {
      iss: honest.issuer,
      aud: audience,
      sub: "mallory",
      scope: "exports:read exports:write",
      exp: Math.floor(Date.now() / 1000) + 300
    }
    const sign = (header: Record<string, unknown>, signer = attacker.privateKey) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", ...header }).sign(signer)
    // HS256 with the issuer's public key (as its JWKS shows it) as the HMAC secret
    const publicJwk = JSON.stringify({ ...(await exportJWK(key.publicKey)), kid: "test-key" })
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: "test-key" })
      .sign(new TextEncoder().encode(publicJwk))
    const forged = {
      "HS256 keyed with the public key": hmac,
      "embedded jwk": await sign({ kid: "test-key", jwk: attackerJwk }),
      "jku to the attacker": await sign({ kid: "test-key", jku: `${honest.issuer}/attacker-jwks` }),
      "x5u to the attacker": await sign({ kid: "test-key", x5u: `${honest.issuer}/attacker-cert` }),
      "nbf in the future": await token(honest.issuer, audience, { nbf: Math.floor(Date.now() / 1000) + 600 }),
      "an audience list without this server": await token(honest.issuer, ["https://other.example.com/mcp"])
    }
    for (const [why, value] of Object.entries(forged)) {
      const answer = await post(server.url, initialize, { authorization: `Bearer ${value}` })
      expect(answer.status, why).toBe(401)
    }
    const keysFetched = honest.hits("/jwks")
    for (let i = 0; i < 20; i++) {
      const answer = await post(server.url, initialize, {
        authorization: `Bearer ${await sign({ kid: `random-${i}-${Math.random()}` })}`
      })
      expect(answer.status).toBe(401)
    }
    // a flood of unknown key ids refetches the key set at most once (then a cooldown)
    expect(honest.hits("/jwks") - keysFetched).toBeLessThanOrEqual(1)
    expect(honest.hits("/attacker-jwks") + honest.hits("/attacker-cert")).toBe(0)
    const ours = await token(honest.issuer, ["https://other.example.com/mcp", audience])
    expect((await post(server.url, initialize, { authorization: `Bearer ${ours}` })).status).toBe(200)
  })
})

describe("a hostile client", () => {
  it("gets 400 invalid_request for a token twice or in the query, and nothing is served", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    const server = await serve(issuer)
    const good = await token(issuer.issuer, server.url.href)
    const other = await token(issuer.issuer, server.url.href, { sub: "someone-else" })
    const twice = await rawPost(server.url, initialize, {
      authorization: [`Bearer ${good}`, `Bearer ${other}`]
    })
    expect(twice.status).toBe(400)
    expect(twice.challenge).toMatch(/^Bearer error="invalid_request"/)
    const inQuery = new URL(server.url)
    inQuery.searchParams.set("access_token", good)
    expect((await rawPost(inQuery, initialize, {})).status).toBe(400)
    expect((await rawPost(inQuery, initialize, { authorization: `Bearer ${good}` })).status).toBe(400)
    expect(server.stderr()).not.toContain(good)
    // one header, any case of the scheme, is served
    expect((await rawPost(server.url, initialize, { authorization: `bearer ${good}` })).status).toBe(200)
  })

  it("cannot steer the resource metadata or the challenge with its Host header", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    const server = await serve(issuer)
    const hostile = { host: "evil.example.com", "x-forwarded-host": "evil.example.com" }
    for (const path of [
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/mcp"
    ]) {
      const body = await new Promise<string>((resolve, reject) => {
        httpRequest(new URL(path, server.url), { headers: hostile }, (res) => {
          let text = ""
          res.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8")
          })
          res.on("end", () => resolve(text))
        })
          .on("error", reject)
          .end()
      })
      expect((JSON.parse(body) as { resource: string }).resource).toBe(server.url.href)
    }
    // the MCP endpoint refuses the rebinding Host before it looks at a token
    const rebound = await rawPost(server.url, initialize, {
      ...hostile,
      authorization: `Bearer ${await token(issuer.issuer, server.url.href)}`
    })
    expect(rebound.status).toBe(403)
    const challenge = (await rawPost(server.url, initialize, { "x-forwarded-host": "evil.example.com" }))
      .challenge
    expect(challenge).toBe(
      `Bearer resource_metadata="${server.url.origin}/.well-known/oauth-protected-resource/mcp"`
    )
  })

  it("cannot start with a read-only token through a batch or another spelling of tools/call", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    const server = await serve(issuer)
    const readOnly = await token(issuer.issuer, server.url.href, { scope: "exports:read" })
    const call = (id: number, method = "tools/call") => ({
      jsonrpc: "2.0",
      id,
      method,
      params: { name: "start_export", arguments: { ...filter(), confirmation: "c_x" } }
    })
    const before = apiPosts()
    const batch = await post(
      server.url,
      JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }, call(2)]),
      { authorization: `Bearer ${readOnly}` }
    )
    expect(batch.status).toBe(403)
    for (const method of ["TOOLS/CALL", "tools/call ", "tools//call"]) {
      const answer = await post(server.url, JSON.stringify(call(3, method)), {
        authorization: `Bearer ${readOnly}`,
        "mcp-protocol-version": "2026-07-28"
      })
      expect(answer.status, method).not.toBe(200)
    }
    expect(apiPosts()).toBe(before)
  })
})

describe("another team member", () => {
  it("cannot close someone else's session by opening sessions in a loop", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    dirs = await tempDirs()
    const server = await startHttp(
      ["--oauth-issuer", issuer.issuer, "--max-sessions", "3"],
      serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_LOG: "debug" })
    )
    cleanups.push(server.stop)
    const as = async (sub: string) => `Bearer ${await token(issuer.issuer, server.url.href, { sub })}`
    const open = async (sub: string) =>
      (await post(server.url, initialize, { authorization: await as(sub) })).headers.get("mcp-session-id") ??
      ""
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} })
    const use = async (sub: string, session: string) =>
      (
        await post(server.url, list, {
          authorization: await as(sub),
          "mcp-session-id": session,
          "mcp-protocol-version": "2025-11-25"
        })
      ).status
    const alice = await open("alice")
    const carol = await open("carol")
    const flood: Array<string> = []
    for (let i = 0; i < 8; i++) flood.push(await open("mallory"))
    expect(await use("alice", alice)).toBe(200)
    expect(await use("carol", carol)).toBe(200)
    // the flood closed its own sessions, the newest one stays usable
    expect(await use("mallory", flood.at(-1) ?? "")).toBe(200)
    expect(await use("mallory", flood[0] ?? "")).toBe(404)
  })

  it("cannot redeem a confirmation from someone else's preview; its owner still can", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    const server = await serve(issuer)
    const alice = await connect(server.url, await token(issuer.issuer, server.url.href, { sub: "alice" }))
    const bob = await connect(server.url, await token(issuer.issuer, server.url.href, { sub: "bob" }))
    const mine = filter({ posCodes: ["ES777"] })
    const preview = await alice.callTool({ name: "preview_export", arguments: mine })
    const confirmation = (preview.structuredContent as { confirmation?: string }).confirmation
    expect(confirmation).toBeDefined()
    const before = apiPosts()
    const stolen = await bob.callTool({ name: "start_export", arguments: { ...mine, confirmation } })
    expect(stolen.isError, textOf(stolen)).toBe(true)
    expect(apiPosts()).toBe(before)
    const own = await alice.callTool({ name: "start_export", arguments: { ...mine, confirmation } })
    expect(own.isError, textOf(own)).toBeFalsy()
    expect(apiPosts()).toBe(before + 1)
  })

  it("cannot pass for someone else in the audit trail with hidden characters or a huge subject", async () => {
    const issuer = await startIssuer(key)
    cleanups.push(issuer.close)
    const server = await serve(issuer)
    const subjects = [
      "alice\u200b\r\n2026-11-30 actor=admin",
      `${"x".repeat(9_000)}A`,
      `${"x".repeat(9_000)}B`
    ]
    const actors: Array<string> = []
    for (const [i, sub] of subjects.entries()) {
      const client = await connect(server.url, await token(issuer.issuer, server.url.href, { sub }))
      const mine = filter({ posCodes: [`ES9${i}`] })
      const preview = await client.callTool({ name: "preview_export", arguments: mine })
      const confirmation = (preview.structuredContent as { confirmation?: string }).confirmation
      const started = await client.callTool({
        name: "start_export",
        arguments: { ...mine, confirmation }
      })
      expect(started.isError, textOf(started)).toBeFalsy()
      const asyncTaskId = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
      const entry = (await readJournal(dirs?.journal ?? "")).find((e) => e.asyncTaskId === asyncTaskId)
      actors.push(String(entry?.actor))
    }
    expect(actors[0]).toBe("alice\\u{200b}\\u{d}\\u{a}2026-11-30 actor=admin via assistant-app")
    for (const actor of actors) {
      expect(actor).not.toMatch(/[\u0000-\u001f\u200b]/)
      expect(actor.length).toBeLessThan(MAX_NAME_LENGTH + 60)
    }
    expect(actors[1]).not.toBe(actors[2])
    expect(new Set(actors).size).toBe(3)
    expect(server.stderr()).not.toContain("x".repeat(MAX_NAME_LENGTH + 1))
    expect(printable("alice")).not.toBe(printable("alice\u2066"))
    expect(printable("a\\u{200b}")).not.toBe(printable("a\u200b"))
  })
})
