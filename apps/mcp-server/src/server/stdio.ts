/**
 * Newline-delimited JSON-RPC over stdin/stdout. Unlike a bare reader, a line that is not JSON is
 * answered with a JSON-RPC parse error (-32700) and a JSON value that is not a JSON-RPC message with
 * an invalid-request error (-32600); the connection stays open either way. Bytes are decoded as
 * UTF-8 across reads, so a character split between two chunks arrives whole. Only protocol goes to
 * stdout.
 */
import { StringDecoder } from "node:string_decoder"
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from "@modelcontextprotocol/server"

const MAX_LINE_BYTES = 10 * 1024 * 1024

const errorReply = (id: string | number | null, code: number, message: string): string =>
  `${JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } })}\n`

const idOf = (value: unknown): string | number | null => {
  if (value === null || typeof value !== "object" || !("id" in value)) return null
  const id = (value as { id: unknown }).id
  return typeof id === "string" || typeof id === "number" ? id : null
}

/** A stdio transport that answers malformed input with JSON-RPC errors and keeps serving. */
export class LenientStdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  /** Called when stdin ends; when set, closing is left to the caller (to finish calls in flight). */
  onInputEnd?: () => void
  /** Called once the transport has closed, besides `onclose` (which belongs to the serving entry). */
  onClosed?: () => void
  private buffer = ""
  private readonly decoder = new StringDecoder("utf8")
  private closed = false

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout
  ) {}

  private readonly onData = (chunk: Buffer | string): void => {
    this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk)
    let newline = this.buffer.indexOf("\n")
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, "")
      this.buffer = this.buffer.slice(newline + 1)
      this.handleLine(line)
      newline = this.buffer.indexOf("\n")
    }
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.buffer = ""
      this.write(errorReply(null, -32700, "Parse error: message too large"))
    }
  }

  private readonly onEnd = (): void => {
    if (this.onInputEnd !== undefined) this.onInputEnd()
    else void this.close()
  }

  private readonly onStreamError = (error: Error): void => {
    this.onerror?.(error)
  }

  private handleLine(line: string): void {
    if (line.trim() === "") return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      this.onerror?.(new Error("Parse error: a line on stdin is not JSON"))
      this.write(errorReply(null, -32700, "Parse error: each line must be one JSON-RPC message"))
      return
    }
    let message: JSONRPCMessage
    try {
      message = parseJSONRPCMessage(value)
    } catch {
      this.onerror?.(new Error("Invalid request: a line on stdin is not a JSON-RPC message"))
      this.write(errorReply(idOf(value), -32600, "Invalid Request: not a JSON-RPC 2.0 message"))
      return
    }
    this.onmessage?.(message)
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(text)) resolve()
      else this.output.once("drain", () => resolve())
    })
  }

  /** Starts reading stdin. */
  async start(): Promise<void> {
    this.input.on("data", this.onData)
    this.input.on("end", this.onEnd)
    this.input.on("error", this.onStreamError)
  }

  /** Writes one message as a line. */
  send(message: JSONRPCMessage): Promise<void> {
    return this.write(`${JSON.stringify(message)}\n`)
  }

  /** Stops reading; calls `onclose` once. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.input.off("data", this.onData)
    this.input.off("end", this.onEnd)
    this.input.off("error", this.onStreamError)
    this.onclose?.()
    this.onClosed?.()
  }
}
