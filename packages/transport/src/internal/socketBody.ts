import type * as http from "node:http"
import * as net from "node:net"
import * as tls from "node:tls"

/** Size of each reused read buffer: reads land in it until less than `MIN_READ` is left. */
const BUFFER_BYTES = 512 * 1024
/** Buffers of a body: one being filled while the others are written. */
const BUFFERS = 6
/** The smallest room offered to a read; a buffer with less left is handed on. */
const MIN_READ = 64 * 1024

/** Where a body's bytes go. */
export interface Consumer {
  /** Bytes of the body came off the network (for idle and rate limits): called on every read. */
  readonly progress: (bytes: number) => void
  /**
   * Takes the first `length` bytes of `buffer`, in order. `release`, when given, must be called once
   * the bytes are no longer needed: the buffer is then read into again.
   */
  readonly take: (buffer: Buffer, length: number, release: (() => void) | undefined) => void
  /** Whether more may be read now; when this turns true again, the consumer calls `resume`. */
  readonly accepting: () => boolean
  /** The whole body arrived. */
  readonly end: () => void
  /** The body broke off (reset, closed early, malformed). */
  readonly fail: () => void
}

/**
 * Reads one HTTP response body straight from its socket into a few reused 512 KiB buffers, with
 * Node's `onread` socket option, instead of one new 64 KiB `Buffer` and one stream event per
 * read: no allocation per read, reads of up to 512 KiB, and bounded memory (3 MiB) however fast the
 * server sends.
 *
 * Node's own HTTP client (`http.get`/`https.get` with this `createConnection`) still sends the
 * request and parses the status line and headers: until `start`, every read is copied and handed
 * to it as the socket's `data`. A `200` with a `Content-Length` (and no `Transfer-Encoding`) is then
 * read past the parser: exactly the announced bytes, straight from the socket. Any other response
 * (chunked, or without a length) keeps going through the parser and arrives as the response's
 * `data`. The same holds over TLS, where reads are the decrypted records.
 */
export class SocketBody {
  private socket: net.Socket | undefined
  private readonly free: Array<Buffer> = []
  private current: Buffer = Buffer.allocUnsafe(BUFFER_BYTES)
  private fill = 0
  private allocated = 1
  private mode: "head" | "direct" | "parsed" | "done" = "head"
  private remaining = 0
  private paused = false
  private consumer: Consumer | undefined
  private response: http.IncomingMessage | undefined

  constructor(
    private readonly options: {
      /** Refuses a connection to an address a host name resolved to (the DNS-rebinding guard). */
      readonly lookup?: net.LookupFunction | undefined
      /** Certificates to trust instead of Node's defaults (tests with a throw-away certificate). */
      readonly ca?: string | Buffer | undefined
    } = {}
  ) {}

  /** The `createConnection` for `http.get`/`https.get`: a TCP or TLS socket reading through `onread`. */
  readonly createConnection = (request: http.ClientRequestArgs): net.Socket => {
    const host = request.host ?? "localhost"
    const port = Number(request.port)
    const onread: net.OnReadOpts = {
      buffer: () => this.current.subarray(this.fill),
      callback: (bytes) => this.onRead(bytes)
    }
    const lookup = this.options.lookup === undefined ? {} : { lookup: this.options.lookup }
    let socket: net.Socket
    if (request.protocol === "https:") {
      // `onread` is a documented option of `tls.connect` that @types/node does not declare
      const options: tls.ConnectionOptions & { readonly onread: net.OnReadOpts } = {
        host,
        port,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        ...(this.options.ca === undefined ? {} : { ca: this.options.ca }),
        ...lookup,
        onread
      }
      socket = tls.connect(options)
    } else socket = net.connect({ host, port, ...lookup, onread })
    this.socket = socket
    return socket
  }

  /**
   * Delivers the body of `response` (the answer to the request made with `createConnection`) to
   * `consumer`, the bytes that already went through the parser first.
   */
  start(response: http.IncomingMessage, consumer: Consumer): void {
    this.consumer = consumer
    this.response = response
    const length = Number(response.headers["content-length"])
    const direct =
      response.statusCode === 200 &&
      response.headers["content-length"] !== undefined &&
      Number.isSafeInteger(length) &&
      length >= 0 &&
      response.headers["transfer-encoding"] === undefined
    if (direct) this.startDirect(response, consumer, length)
    else this.startParsed(response, consumer)
  }

  /** Through the parser: the response's own `data`, `end` and errors. */
  private startParsed(response: http.IncomingMessage, consumer: Consumer) {
    this.mode = "parsed"
    if (response.destroyed) {
      this.broken()
      return
    }
    response.on("data", (chunk: Buffer) => {
      if (this.mode !== "parsed") return
      consumer.progress(chunk.length)
      consumer.take(chunk, chunk.length, undefined)
      if (!consumer.accepting()) {
        this.paused = true
        response.pause()
      }
    })
    response.once("end", () => this.finish())
    response.once("close", () => this.broken())
    response.on("error", () => this.broken())
  }

  /** Past the parser: what it already holds, then `length` bytes in all straight from the socket. */
  private startDirect(response: http.IncomingMessage, consumer: Consumer, length: number) {
    // the parser's view of the connection no longer matters: the socket's close does
    response.on("error", () => undefined)
    this.remaining = length
    while (this.remaining > 0) {
      const chunk = response.read() as Buffer | null
      if (chunk === null) break
      const part = chunk.length > this.remaining ? chunk.subarray(0, this.remaining) : chunk
      this.remaining -= part.length
      consumer.progress(part.length)
      consumer.take(part, part.length, undefined)
    }
    this.mode = "direct"
    if (this.remaining === 0) this.finish()
    else if (this.socket === undefined || this.socket.closed) this.broken()
    else {
      this.socket.once("close", () => this.broken())
      if (consumer.accepting()) this.socket.resume()
      else this.paused = true
    }
  }

  /** Reads again after the consumer stopped accepting, once it accepts and a buffer is free. */
  resume(): void {
    if (!this.paused || this.consumer === undefined || !this.consumer.accepting()) return
    if (this.mode === "direct" && this.spare() > 0) {
      this.paused = false
      this.socket?.resume()
    } else if (this.mode === "parsed") {
      this.paused = false
      this.response?.resume()
    }
  }

  /** Stops reading for good and closes the connection. */
  destroy(): void {
    this.mode = "done"
    this.socket?.destroy()
  }

  private finish() {
    if (this.mode === "done") return
    this.mode = "done"
    this.socket?.destroy()
    this.consumer?.end()
  }

  private broken() {
    if (this.mode === "done") return
    this.mode = "done"
    this.consumer?.fail()
  }

  /** One read of `bytes` into `current` at `fill`; false stops reading until `resume`. */
  private onRead(bytes: number): boolean {
    if (this.mode === "head" || this.mode === "parsed") {
      // the parser may keep slices of what it is given: hand it a copy, not the reused buffer
      this.socket?.emit("data", Buffer.from(this.current.subarray(this.fill, this.fill + bytes)))
      return true
    }
    if (this.mode !== "direct" || this.consumer === undefined) return false
    const taken = Math.min(bytes, this.remaining)
    this.remaining -= taken
    this.fill += taken
    this.consumer.progress(taken)
    if (this.remaining === 0) {
      this.handOn(false)
      this.finish()
      return false
    }
    if (this.current.length - this.fill < MIN_READ) this.handOn(true)
    // the next read goes into `current`; stop while no other buffer could take over from it
    if (this.spare() === 0 || !this.consumer.accepting()) {
      this.paused = true
      return false
    }
    return true
  }

  /** Buffers free or still to be allocated. */
  private spare() {
    return this.free.length + BUFFERS - this.allocated
  }

  /** Hands the filled part of `current` to the consumer and, when `next`, reads on into another buffer. */
  private handOn(next: boolean) {
    const buffer = this.current
    const length = this.fill
    if (next) {
      const free = this.free.pop()
      if (free !== undefined) this.current = free
      else {
        this.allocated++
        this.current = Buffer.allocUnsafe(BUFFER_BYTES)
      }
      this.fill = 0
    }
    if (length === 0) return
    this.consumer?.take(buffer, length, () => {
      this.free.push(buffer)
      this.resume()
    })
  }
}
