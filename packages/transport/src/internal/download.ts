import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import * as https from "node:https"
import * as path from "node:path"
import { Task } from "@booster-export/core"
import { Clock, Effect, Either, Option, Ref } from "effect"
import type { DownloadOptions } from "../BoosterClient.js"
import * as BoosterError from "../BoosterError.js"
import * as Redact from "../Redact.js"
import * as Retry from "../Retry.js"
import * as UrlPolicy from "../UrlPolicy.js"
import type { Api } from "./api.js"
import * as FileSink from "./fileSink.js"
import { AttemptError, errorCode, isRetryable, requestIdOf } from "./http.js"
import { logAttempt } from "./log.js"
import { SocketBody } from "./socketBody.js"

/** The failure of one download attempt: a request error, or a download's own. */
type Failed = AttemptError<BoosterError.RequestError | BoosterError.DownloadError>

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
 * Creates a missing destination folder (and its missing parents) with mode `0700`: it will hold
 * personal data.
 */
const createFolder = (folder: string) =>
  Effect.tryPromise({
    try: () => fs.mkdir(folder, { recursive: true, mode: 0o700 }),
    catch: (cause) =>
      new BoosterError.DownloadError({
        reason: "io",
        path: folder,
        message: `Could not create the destination folder ${folder} (${errorCode(cause) ?? "failed"})`,
        hint: "Check that the parent folder exists and is writable."
      })
  })

/**
 * The file a download goes to: `destination` itself, or — when it is an existing folder or ends with
 * a separator — a file in it named after the URL's last path segment (or the task id). A missing
 * folder given with a trailing separator is created (mode `0700`).
 */
export const resolveTarget = (destination: string, url: URL, taskId: string) =>
  Effect.gen(function* () {
    const trailing = destination.endsWith("/") || destination.endsWith(path.sep)
    const folder = yield* isDirectory(destination)
    if (!trailing && !folder) return path.resolve(destination)
    if (!folder) yield* createFolder(path.resolve(destination))
    const last = decodeURIComponent(url.pathname.split("/").pop() ?? "")
    const name = safeName(last) || safeName(taskId) || "export"
    return path.resolve(destination, name)
  })

/** The raw download URL of a task, if it has one. */
const rawDownloadUrl = (raw: string | undefined): Option.Option<string> =>
  raw === undefined || raw.trim() === "" ? Option.none() : Option.some(raw.trim())

/**
 * Sends a bare GET for `url` with Node's own HTTP stack (no API credential, header or connection
 * pool of the API client: a signed URL needs none) over `reader`'s connection, and resolves with the
 * response once its headers arrive, or fails after `timeoutMs`. Interruption destroys the request.
 */
const get = (url: URL, timeoutMs: number, reader: SocketBody): Effect.Effect<http.IncomingMessage, Failed> =>
  Effect.async<http.IncomingMessage, Failed>((resume) => {
    let settled = false
    const settle = (result: Effect.Effect<http.IncomingMessage, Failed>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resume(result)
    }
    const secure = url.protocol === "https:"
    const request = (secure ? https : http).get(url, {
      createConnection: reader.createConnection,
      defaultPort: secure ? 443 : 80
    })
    const timer = setTimeout(() => {
      request.destroy()
      settle(
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
    request.once("response", (response) => settle(Effect.succeed(response)))
    // stays attached: Node reports a connection failure after the response on the request too
    request.on("error", (error) => {
      const code = errorCode(error)
      settle(
        Effect.fail(
          code === UrlPolicy.REFUSED_ADDRESS
            ? new AttemptError({
                outcome: "final",
                error: new BoosterError.DownloadError({
                  reason: "unsafe-url",
                  message: `The download host of ${Redact.url(url)} resolves to a private, loopback or link-local address: refused`,
                  hint: "If the storage really is on such a network, allow it explicitly (allowPrivateDownloadHosts)."
                })
              })
            : new AttemptError({
                outcome: "ambiguous",
                error: new BoosterError.TransportError({
                  reason: "connection",
                  message: `Could not fetch the download (${code ?? "connection failed"}) from ${Redact.url(url)}`,
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
  options: {
    readonly overwrite: boolean
    /** Fails when no byte arrives for this long, in ms. */
    readonly idleTimeoutMs: number
    /** Time allowed until the response headers, in ms. */
    readonly timeoutMs: number
    /** Time allowed for the whole download, in ms; 0 or absent for no limit. */
    readonly deadlineMs?: number | undefined
    /** Lowest average rate once `idleTimeoutMs` has passed, in bytes per second; 0 or absent for none. */
    readonly minBytesPerSecond?: number | undefined
    /** Refuses a connection to a host name resolving to an address this refuses. */
    readonly acceptAddress?: ((address: string) => boolean) | undefined
    /** Certificates to trust instead of Node's defaults (tests with a throw-away certificate). */
    readonly ca?: string | Buffer | undefined
    /** The file system; default Node's (tests observe the writes and syncs). */
    readonly files?: FileSink.Files | undefined
    /** Data synced while the download runs, every this many bytes; default {@link FileSink.SYNC_EVERY_BYTES}. */
    readonly syncEveryBytes?: number | undefined
  }
): Effect.Effect<Downloaded, Failed> => {
  const shown = Redact.url(url)
  const files = options.files ?? FileSink.nodeFiles
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.part`
  )
  return Effect.scoped(
    Effect.gen(function* () {
      const startedAt = Date.now()
      const reader = new SocketBody({
        lookup:
          options.acceptAddress === undefined ? undefined : UrlPolicy.guardedLookup(options.acceptAddress),
        ca: options.ca
      })
      // waiting for the answer stays interruptible (an acquisition is not, by default): Ctrl-C
      // while the storage holds its answer stops at once, `get` destroying the request
      const response = yield* Effect.acquireRelease(
        Effect.interruptible(get(url, options.timeoutMs, reader)),
        (response) =>
          Effect.sync(() => {
            response.destroy()
            reader.destroy()
          })
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
      let bytes = 0
      const written = yield* Effect.acquireUseRelease(
        Effect.tryPromise({
          // owner-only from creation: the file holds personal data
          try: () => files.open(temp),
          catch: () => ioError(`Cannot create a temporary file in ${path.dirname(target)}`, target)
        }),
        (handle) => {
          const limits: Limits = {
            idleMs: options.idleTimeoutMs,
            deadlineMs: options.deadlineMs ? options.deadlineMs - (Date.now() - startedAt) : 0,
            minBytesPerSecond: options.minBytesPerSecond ?? 0
          }
          const syncEvery = options.syncEveryBytes ?? FileSink.SYNC_EVERY_BYTES
          const copied = copyToFile(reader, response, handle, limits, syncEvery, (n) => {
            bytes += n
          }).pipe(
            Effect.mapError((failure) =>
              failure === "idle"
                ? idleError(options.idleTimeoutMs)
                : failure === "deadline"
                  ? deadlineError(options.deadlineMs ?? 0)
                  : failure === "slow"
                    ? slowError(bytes, Date.now() - startedAt, limits.minBytesPerSecond)
                    : failure === "write"
                      ? ioError(`Cannot write to ${path.dirname(target)}`, target)
                      : cutError(target, bytes, announced)
            )
          )
          return copied.pipe(
            Effect.flatMap((sha256) =>
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
                : Effect.succeed({ bytes, sha256 })
            )
          )
        },
        (handle) => Effect.promise(() => handle.close().catch(() => undefined))
      ).pipe(
        Effect.flatMap((copy) =>
          Effect.tryPromise({
            try: async () => {
              if (options.overwrite) {
                await fs.rename(temp, target)
              } else {
                await fs.link(temp, target)
                await fs.unlink(temp)
              }
              return copy
            },
            catch: (e) =>
              errorCode(e) === "EEXIST"
                ? new AttemptError({ outcome: "final", error: existsError(target) })
                : ioError(`Cannot move the download into place at ${target}`, target)
          })
        ),
        // the new name is durable too: a crash after this leaves the file under its name
        Effect.tap(() =>
          Effect.tryPromise({
            try: () => files.syncFolder(path.dirname(target)),
            catch: () => ioError(`Cannot write to ${path.dirname(target)}`, target)
          })
        ),
        Effect.onExit(() => Effect.promise(() => fs.rm(temp, { force: true }).catch(() => undefined)))
      )
      return { path: target, bytes: written.bytes, sha256: written.sha256, contentType }
    })
  )
}

const deadlineError = (deadlineMs: number) =>
  new AttemptError({
    outcome: "final",
    error: new BoosterError.TransportError({
      reason: "timeout",
      message: `The download did not finish within ${Math.round(deadlineMs / 1000)} s`,
      hint: "Try again later, or allow more time (downloadTimeoutMs)."
    })
  })

const slowError = (bytes: number, elapsedMs: number, minimum: number) =>
  new AttemptError({
    outcome: "final",
    error: new BoosterError.TransportError({
      reason: "timeout",
      message: `The download was too slow: ${Math.round((bytes * 1000) / Math.max(1, elapsedMs))} bytes/s on average, under the minimum of ${minimum}`,
      hint: "Try again later, or lower the minimum rate (downloadMinBytesPerSecond)."
    })
  })

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

type CopyFailure = "idle" | "deadline" | "slow" | "write" | "read"

interface Limits {
  readonly idleMs: number
  /** Time left for the whole copy, in ms; 0 for no limit (a negative value fails at once). */
  readonly deadlineMs: number
  readonly minBytesPerSecond: number
}

/**
 * Copies the body of `response` (read by `reader`) into the open file, hashing it on the way, and
 * answers the SHA-256 once every byte is on disk. The body arrives in reused 512 KiB buffers, each
 * hashed on the main thread and written by Node's thread pool while the next one fills (a write
 * per network chunk, as a piped `fs.WriteStream` does, cost a thread-pool round trip each); the
 * data is synced every `syncEveryBytes` while the download runs, and the file once more (data and
 * size) at the end. The network waits while 4 MiB wait for the disk, or twice `syncEveryBytes` for
 * a sync, so memory and unsynced data stay bounded. An idle timer fails a body that stops sending;
 * on any failure or interruption the connection is closed.
 */
const copyToFile = (
  reader: SocketBody,
  response: http.IncomingMessage,
  file: FileSink.File,
  limits: Limits,
  syncEveryBytes: number,
  onBytes: (n: number) => void
): Effect.Effect<string, CopyFailure> =>
  Effect.async<string, CopyFailure>((resume) => {
    const hash = createHash("sha256")
    let done = false
    const startedAt = Date.now()
    let received = 0
    const stopTimers = () => {
      clearTimeout(timer)
      clearTimeout(deadline)
      clearInterval(rate)
    }
    const finish = (result: Effect.Effect<string, CopyFailure>) => {
      if (done) return
      done = true
      stopTimers()
      resume(result)
    }
    const fail = (failure: CopyFailure) => {
      if (done) return
      reader.destroy()
      finish(Effect.fail(failure))
    }
    const timer = setTimeout(() => fail("idle"), limits.idleMs)
    const deadline =
      limits.deadlineMs !== 0 ? setTimeout(() => fail("deadline"), Math.max(0, limits.deadlineMs)) : undefined
    const rate =
      limits.minBytesPerSecond > 0
        ? setInterval(() => {
            const elapsed = Date.now() - startedAt
            if (elapsed >= limits.idleMs && (received * 1000) / elapsed < limits.minBytesPerSecond)
              fail("slow")
          }, 250)
        : undefined
    const sink = new FileSink.FileSink(
      file,
      syncEveryBytes,
      () => {
        // the network waited for the disk: that wait is not the server's idleness
        if (!done) timer.refresh()
        reader.resume()
      },
      () => fail("write")
    )
    reader.start(response, {
      progress: (n) => {
        if (done) return
        timer.refresh()
        received += n
        onBytes(n)
      },
      take: (buffer, length, release) => {
        if (done) return
        const bytes = buffer.subarray(0, length)
        hash.update(bytes)
        sink.write(bytes, release)
      },
      accepting: () => sink.accepting(),
      end: () => {
        if (done) return
        // the body is whole: what remains is the disk's, which no network limit should cut short
        stopTimers()
        sink.end().then(
          () => finish(Effect.succeed(hash.digest("hex"))),
          () => fail("write")
        )
      },
      fail: () => fail("read")
    })
    return Effect.sync(() => fail("read"))
  })

/**
 * Downloads a completed task's file to `destination`: the URL from the task (read first when only
 * the id is given), the retry policy on each fetch, and one refresh of an expired or refused URL by
 * re-reading the task.
 */
export const downloadTask =
  (api: Api) =>
  (
    taskOrId: Task.Task | string,
    destination: string,
    options?: DownloadOptions
  ): Effect.Effect<Downloaded, BoosterError.RequestError | BoosterError.DownloadError> =>
    Effect.gen(function* () {
      const config = api.config
      const overwrite = options?.overwrite === true
      const initialTask = typeof taskOrId === "string" ? yield* api.getTask(taskOrId) : taskOrId
      const policy: UrlPolicy.Context = {
        baseUrl: config.baseUrl,
        insecureOrigin: config.insecureOrigin,
        allowPrivateDownloadHosts: config.allowPrivateDownloadHosts
      }
      const acceptAddress = config.allowPrivateDownloadHosts
        ? undefined
        : (address: string) => UrlPolicy.acceptsAddress(address, config.baseUrl)
      const urlFor = (task: Task.Task) =>
        Option.match(rawDownloadUrl(task.signedDownloadUrl ?? task.downloadUrl), {
          onNone: () =>
            Effect.fail(
              new BoosterError.DownloadError({
                reason: "not-ready",
                message: `The task ${task.asyncTaskId} has no download URL (status ${task.status})`,
                hint: "Wait for the task to complete (follow it), then download."
              })
            ),
          onSome: (raw) =>
            Either.match(UrlPolicy.check("download", raw, policy), {
              onLeft: (refusal) =>
                Effect.fail(
                  new BoosterError.DownloadError({
                    reason: "unsafe-url",
                    message: `${refusal.message} (task ${task.asyncTaskId})`,
                    hint: refusal.hint
                  })
                ),
              onRight: Effect.succeed
            })
        })
      const firstUrl = yield* urlFor(initialTask)
      const target = yield* resolveTarget(destination, firstUrl, Task.canonicalGuid(initialTask.asyncTaskId))
      if (!overwrite && (yield* exists(target))) return yield* existsError(target)
      const retrySchedule = Retry.schedule(config.retry, (e: Failed) => ({
        retryable: isRetryable(e),
        retryAfterMs: e.retryAfterMs
      }))
      const fetchOnce = (url: URL) =>
        Effect.gen(function* () {
          const counter = yield* Ref.make(0)
          return yield* Ref.updateAndGet(counter, (n) => n + 1).pipe(
            Effect.tap(() => UrlPolicy.warnIfInsecure(url)),
            Effect.flatMap((n) =>
              Effect.flatMap(Clock.currentTimeMillis, (started) =>
                fetchToFile(url, target, {
                  overwrite,
                  idleTimeoutMs: config.downloadIdleTimeoutMs,
                  timeoutMs: config.timeoutMs,
                  deadlineMs: config.downloadTimeoutMs,
                  minBytesPerSecond: config.downloadMinBytesPerSecond,
                  acceptAddress
                }).pipe(
                  Effect.tapBoth({
                    onFailure: (e) => logAttempt("GET", url, n, started, String(e.status ?? e.error._tag)),
                    onSuccess: () => logAttempt("GET", url, n, started, "200")
                  })
                )
              )
            ),
            Effect.retry(retrySchedule),
            Effect.mapError((e) => e.error)
          )
        })
      return yield* fetchOnce(firstUrl).pipe(
        Effect.catchIf(
          (e): e is BoosterError.DownloadError => e._tag === "DownloadError" && e.reason === "expired-url",
          (expired) =>
            Effect.gen(function* () {
              const fresh = yield* api.getTask(initialTask.asyncTaskId)
              const url = yield* urlFor(fresh)
              return yield* fetchOnce(url).pipe(
                Effect.mapError((e) =>
                  e._tag === "DownloadError" && e.reason === "expired-url"
                    ? new BoosterError.DownloadError({
                        ...expired,
                        message: `The download URL was refused again after reading a fresh one from the task (HTTP ${e.status ?? "?"})`,
                        hint: "The storage refuses this task's URLs; check the task, or try again later."
                      })
                    : e
                )
              )
            })
        )
      )
    })
