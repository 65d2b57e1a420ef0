import { createHash, randomBytes } from "node:crypto"
import { createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import * as https from "node:https"
import * as path from "node:path"
import type { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Effect, Option } from "effect"
import * as BoosterError from "../BoosterError.js"
import { AttemptError, errorCode, redactUrl, requestIdOf } from "./http.js"

export interface Downloaded {
  readonly path: string
  readonly bytes: number
  readonly sha256: string
  readonly contentType: string
}

const ioError = (message: string, target: string) =>
  new AttemptError({
    outcome: "final",
    error: new BoosterError.DownloadError({
      reason: "io",
      path: target,
      message,
      hint: "Check that the destination folder exists, is writable and has free space."
    })
  })

export const existsError = (target: string) =>
  new BoosterError.DownloadError({
    reason: "exists",
    path: target,
    message: `The destination ${target} already exists`,
    hint: "Choose another destination, remove the file, or ask to overwrite it."
  })

/** True when `target` exists (any kind of entry). */
export const exists = (target: string) =>
  Effect.promise(() =>
    fs.lstat(target).then(
      () => true,
      () => false
    )
  )

const isDirectory = (target: string) =>
  Effect.promise(() =>
    fs.stat(target).then(
      (s) => s.isDirectory(),
      () => false
    )
  )

const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "")

/**
 * The file a download goes to: `destination` itself, or — when it is an existing folder or ends with
 * a separator — a file in it named after the URL's last path segment (or the task id).
 */
export const resolveTarget = (destination: string, url: URL, taskId: string) =>
  Effect.gen(function* () {
    const trailing = destination.endsWith("/") || destination.endsWith(path.sep)
    if (!trailing && !(yield* isDirectory(destination))) return path.resolve(destination)
    const last = decodeURIComponent(url.pathname.split("/").pop() ?? "")
    const name = safeName(last) || safeName(taskId) || "export"
    return path.resolve(destination, name)
  })

/**
 * Sends a bare GET for `url` with Node's own HTTP stack (no API credential, header or connection
 * pool of the API client: a signed URL needs none) and resolves with the response once its headers
 * arrive, or fails after `timeoutMs`. Interruption destroys the request.
 */
const get = (url: URL, timeoutMs: number): Effect.Effect<http.IncomingMessage, AttemptError> =>
  Effect.async<http.IncomingMessage, AttemptError>((resume) => {
    const request = (url.protocol === "https:" ? https : http).get(url)
    const timer = setTimeout(() => {
      request.destroy()
      resume(
        Effect.fail(
          new AttemptError({
            outcome: "ambiguous",
            error: new BoosterError.TransportError({
              reason: "timeout",
              message: `The download server did not answer within ${Math.round(timeoutMs / 1000)} s`,
              hint: "Try again later."
            })
          })
        )
      )
    }, timeoutMs)
    request.once("response", (response) => {
      clearTimeout(timer)
      resume(Effect.succeed(response))
    })
    request.once("error", (error) => {
      clearTimeout(timer)
      resume(
        Effect.fail(
          new AttemptError({
            outcome: "ambiguous",
            error: new BoosterError.TransportError({
              reason: "connection",
              message: `Could not fetch the download (${errorCode(error) ?? "connection failed"}) from ${redactUrl(url)}`,
              hint: "Check the network and try again."
            })
          })
        )
      )
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      request.destroy()
    })
  })

const headerOf = (response: http.IncomingMessage, name: string): string | undefined => {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(", ") : value
}

/**
 * Streams `url` (without any API credential or API header) into a temporary file next to
 * `target`, verifies the announced length, then moves it to `target` (refusing to replace an
 * existing file unless `overwrite`). The temporary file is removed on any failure or interruption.
 */
export const fetchToFile = (
  url: URL,
  target: string,
  options: { readonly overwrite: boolean; readonly idleTimeoutMs: number; readonly timeoutMs: number }
): Effect.Effect<Downloaded, AttemptError> => {
  const shown = redactUrl(url)
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.part`
  )
  return Effect.scoped(
    Effect.gen(function* () {
      const response = yield* Effect.acquireRelease(get(url, options.timeoutMs), (response) =>
        Effect.sync(() => response.destroy())
      )
      const headers: Record<string, string | undefined> = {}
      for (const name of Object.keys(response.headers)) headers[name] = headerOf(response, name)
      const status = response.statusCode ?? 0
      if (status < 200 || status >= 300) {
        const requestId = requestIdOf(headers)
        const refused = status === 401 || status === 403 || status === 410
        return yield* Effect.fail(
          new AttemptError({
            outcome: refused ? "final" : status === 429 || status >= 500 ? "ambiguous" : "final",
            status,
            error: refused
              ? new BoosterError.DownloadError({
                  reason: "expired-url",
                  status,
                  ...(requestId !== undefined ? { requestId } : {}),
                  message: `The download URL was refused (HTTP ${status}): it has probably expired`,
                  hint: "Download again: a fresh URL is read from the task."
                })
              : status >= 500 || status === 429
                ? new BoosterError.ServerError({
                    status,
                    ...(requestId !== undefined ? { requestId } : {}),
                    message: `The download server failed (HTTP ${status})`,
                    hint: "Try again later."
                  })
                : new BoosterError.NotFoundError({
                    status,
                    ...(requestId !== undefined ? { requestId } : {}),
                    message: `The download server answered HTTP ${status} for ${shown}`,
                    hint: "The file may have been removed; read the task again."
                  })
          })
        )
      }
      const announced = Option.fromNullable(headers["content-length"]).pipe(
        Option.map(Number),
        Option.filter((n) => Number.isSafeInteger(n) && n >= 0)
      )
      const contentType = headers["content-type"] ?? "application/octet-stream"
      const hash = createHash("sha256")
      let bytes = 0
      const written = yield* Effect.acquireUseRelease(
        Effect.tryPromise({
          try: () => fs.open(temp, "wx"),
          catch: () => ioError(`Cannot create a temporary file in ${path.dirname(target)}`, target)
        }),
        () => {
          const copied = pipeNode(response, temp, options.idleTimeoutMs, (chunk) => {
            hash.update(chunk)
            bytes += chunk.byteLength
          }).pipe(
            Effect.mapError((failure) =>
              failure === "idle"
                ? idleError(options.idleTimeoutMs)
                : failure === "write"
                  ? ioError(`Cannot write to ${path.dirname(target)}`, target)
                  : cutError(target, bytes, announced)
            )
          )
          return copied.pipe(
            Effect.flatMap(() =>
              Option.isSome(announced) && announced.value !== bytes
                ? Effect.fail(
                    new AttemptError({
                      outcome: "ambiguous",
                      error: new BoosterError.DownloadError({
                        reason: "length-mismatch",
                        path: target,
                        message: `The download received ${bytes} bytes but ${announced.value} were announced`,
                        hint: "Try the download again."
                      })
                    })
                  )
                : Effect.void
            ),
            Effect.map(() => bytes)
          )
        },
        (handle) => Effect.promise(() => handle.close().catch(() => undefined))
      ).pipe(
        Effect.flatMap((count) =>
          Effect.tryPromise({
            try: async () => {
              if (options.overwrite) {
                await fs.rename(temp, target)
              } else {
                await fs.link(temp, target)
                await fs.unlink(temp)
              }
              return count
            },
            catch: (e) =>
              errorCode(e) === "EEXIST"
                ? new AttemptError({ outcome: "final", error: existsError(target) })
                : ioError(`Cannot move the download into place at ${target}`, target)
          })
        ),
        Effect.onExit(() => Effect.promise(() => fs.rm(temp, { force: true }).catch(() => undefined)))
      )
      return { path: target, bytes: written, sha256: hash.digest("hex"), contentType }
    })
  )
}

const idleError = (idleMs: number) =>
  new AttemptError({
    outcome: "ambiguous",
    error: new BoosterError.TransportError({
      reason: "timeout",
      message: `The download stalled: no data for ${Math.round(idleMs / 1000)} s`,
      hint: "Try again later."
    })
  })

const cutError = (target: string, bytes: number, announced: Option.Option<number>) =>
  new AttemptError({
    outcome: "ambiguous",
    error: new BoosterError.DownloadError({
      reason: "length-mismatch",
      path: target,
      message: `The download was cut after ${bytes} bytes${Option.isSome(announced) ? ` of ${announced.value}` : ""}`,
      hint: "Try the download again."
    })
  })

/** Copies `body` into `file` with back-pressure, an idle timer and a tap for each chunk. */
const pipeNode = (
  body: Readable,
  file: string,
  idleMs: number,
  onChunk: (chunk: Buffer) => void
): Effect.Effect<void, "idle" | "write" | "read"> =>
  Effect.async<void, "idle" | "write" | "read">((resume) => {
    const abort = new AbortController()
    let idle = false
    let writeFailed = false
    const timer = setTimeout(() => {
      idle = true
      abort.abort()
    }, idleMs)
    body.on("data", (chunk: Buffer) => {
      timer.refresh()
      onChunk(chunk)
    })
    const sink = createWriteStream(file, { flags: "r+" })
    sink.once("error", (error) => {
      const syscall = (error as { readonly syscall?: unknown }).syscall
      writeFailed = typeof syscall === "string" && syscall !== "read"
    })
    pipeline(body, sink, { signal: abort.signal }).then(
      () => {
        clearTimeout(timer)
        resume(Effect.void)
      },
      () => {
        clearTimeout(timer)
        resume(Effect.fail(idle ? "idle" : writeFailed ? "write" : "read"))
      }
    )
    return Effect.sync(() => {
      clearTimeout(timer)
      abort.abort()
    })
  })
