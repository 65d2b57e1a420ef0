/**
 * DNS rebinding against downloads: a download URL whose host name looks public but resolves to a
 * loopback or private address is refused when the connection is made, not only when the URL is read.
 * No DNS server can run here, so the DNS answer is the one thing stubbed; Node's HTTP stack, the
 * guard and the attacker's server on 127.0.0.1 are real.
 */
import type * as dns from "node:dns"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import * as UrlPolicy from "../src/UrlPolicy.js"

/** The API the client talks to: on a public host, so downloads may not reach private ones. */
const API = new URL("https://booster.example.com/api/")
const policy = (address: string) => UrlPolicy.acceptsAddress(address, API)

/** A resolver whose answer for every name is `address` (the DNS layer an attacker controls). */
const answering = (address: string, family: 4 | 6 = 4): typeof dns.lookup =>
  ((_hostname: string, options: dns.LookupOptions, callback: (...args: Array<unknown>) => void) =>
    process.nextTick(() =>
      options.all === true ? callback(null, [{ address, family }]) : callback(null, address, family)
    )) as unknown as typeof dns.lookup

/** The attacker's server on 127.0.0.1: counts the connections that reach it. */
const servers: Array<http.Server> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})
const attacker = async () => {
  const seen = { connections: 0 }
  const server = http.createServer((_req, res) => res.end("id,email\n1,jane@example.com\n"))
  server.on("connection", () => {
    seen.connections++
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { port: (server.address() as AddressInfo).port, seen }
}

/** GETs `url` with `lookup`: the response's status, or the error's code. */
const fetchWith = (url: string, lookup: ReturnType<typeof UrlPolicy.guardedLookup>) =>
  new Promise<{ status?: number; code?: string }>((resolve) => {
    const request = http.get(url, { lookup }, (response) => {
      response.resume()
      response.on("end", () => resolve({ status: response.statusCode ?? 0 }))
    })
    request.on("error", (error) => resolve({ code: (error as NodeJS.ErrnoException).code ?? "error" }))
  })

describe("the download guard at connect time (DNS rebinding)", () => {
  it("refuses a public-looking host name that resolves to 127.0.0.1: no connection reaches the attacker", async () => {
    const { port, seen } = await attacker()
    const url = `http://downloads.booster-cdn.example:${port}/export.csv?sig=abc`
    // the name itself passes the URL check: only its address gives it away
    expect(UrlPolicy.acceptsAddress("203.0.113.7", API)).toBe(true)
    const refused = await fetchWith(url, UrlPolicy.guardedLookup(policy, answering("127.0.0.1")))
    expect(refused).toEqual({ code: UrlPolicy.REFUSED_ADDRESS })
    expect(seen.connections).toBe(0)
    // the same name with the private-hosts opt-out (allowPrivateDownloadHosts) does connect
    const allowed = await fetchWith(
      url,
      UrlPolicy.guardedLookup(() => true, answering("127.0.0.1"))
    )
    expect(allowed).toEqual({ status: 200 })
    expect(seen.connections).toBe(1)
  })

  it("refuses a name resolving to a private, link-local, metadata or IPv6 loopback address, and passes a public one", async () => {
    const lookupOf = (address: string, family: 4 | 6 = 4) =>
      new Promise<{ code?: string; address?: unknown }>((resolve) =>
        UrlPolicy.guardedLookup(policy, answering(address, family))(
          "downloads.booster-cdn.example",
          { all: true },
          (error, answer) =>
            resolve(error ? { code: (error as NodeJS.ErrnoException).code ?? "" } : { address: answer })
        )
      )
    for (const [address, family] of [
      ["10.1.2.3", 4],
      ["192.168.1.10", 4],
      ["169.254.169.254", 4],
      ["100.64.0.1", 4],
      ["::1", 6],
      ["fd00::1", 6]
    ] as const) {
      expect(await lookupOf(address, family), address).toEqual({ code: UrlPolicy.REFUSED_ADDRESS })
    }
    expect(await lookupOf("203.0.113.7")).toEqual({ address: [{ address: "203.0.113.7", family: 4 }] })
  })
})
