import { EventEmitter } from "node:events"
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { Context } from "effect"
import { Effect } from "effect"
import * as Http from "./http.js"

/** An undici dispatcher (connection pool), as the platform's undici layer makes it. */
export type Dispatcher = Context.Tag.Service<typeof NodeHttpClient.Dispatcher>

type Body = Awaited<ReturnType<Dispatcher["request"]>>["body"]

/** An `AbortSignal` stand-in undici accepts: an emitter of `abort` (an `AbortController` costs far more). */
class Abort extends EventEmitter {
  aborted = false
  abort() {
    if (this.aborted) return
    this.aborted = true
    this.emit("abort")
  }
}

/** The body as text, or `undefined` (the rest left unread) once more than `maxBytes` arrived. */
const readCapped = async (body: Body, announced: number, maxBytes: number): Promise<string | undefined> => {
  if (Number.isFinite(announced)) {
    if (announced > maxBytes) {
      body.destroy()
      return undefined
    }
    return body.text()
  }
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      body.destroy()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString("utf8")
}

/**
 * {@link Http.Send} straight on an undici dispatcher: one `request` per attempt and one timer for
 * its deadline, without the `HttpClient` layers in between (a per-request `AbortController`, URL
 * re-parsing, response wrappers, a forked fiber for the timeout), which cost more than the request
 * itself on a fast network. Interruption and the deadline abort the request.
 */
export const sendWith =
  (dispatcher: Dispatcher): Http.Send =>
  (method, url, headers, body, what, timeoutMs, read) =>
    Effect.async<Http.Answer, Http.AttemptError>((resume) => {
      const signal = new Abort()
      let settled = false
      const settle = (result: Effect.Effect<Http.Answer, Http.AttemptError>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(result)
      }
      const timer = setTimeout(() => {
        settle(Effect.fail(Http.timeoutError(what, timeoutMs)))
        signal.abort()
      }, timeoutMs)
      dispatcher
        .request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          body: body ?? null,
          signal,
          // the attempt's own deadline above covers both
          headersTimeout: 0,
          bodyTimeout: 0
        })
        .then(async (response) => {
          const answerHeaders: Record<string, string | undefined> = {}
          for (const [name, value] of Object.entries(response.headers)) {
            answerHeaders[name] = Array.isArray(value) ? value.join(", ") : value
          }
          const text = await readCapped(response.body, Number(answerHeaders["content-length"]), read.maxBytes)
          if (text === undefined) {
            return settle(Effect.fail(Http.tooLarge(method, what, response.statusCode, read.maxBytes)))
          }
          settle(Http.checkStatus({ status: response.statusCode, headers: answerHeaders, text }, what, read))
        })
        .catch((error: unknown) => settle(Effect.fail(Http.connectionError(Http.errorCode(error), what))))
      return Effect.sync(() => {
        clearTimeout(timer)
        signal.abort()
      })
    })
