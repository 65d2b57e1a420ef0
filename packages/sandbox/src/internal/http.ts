import type { IncomingMessage, ServerResponse } from "node:http"

/** A ServiceStack `responseStatus` error body. */
export interface FieldError {
  readonly errorCode: string
  readonly fieldName: string
  readonly message: string
}

/** Writes JSON with a status; returns once written. */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

/** A ServiceStack-shaped error response. */
export const sendError = (
  res: ServerResponse,
  status: number,
  errorCode: string,
  message: string,
  errors: ReadonlyArray<FieldError> = [],
  headers: Readonly<Record<string, string>> = {}
): void => sendJson(res, status, { responseStatus: { errorCode, message, errors } }, headers)

/** An S3-style XML error, as a storage host answers. */
export const sendStorageError = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string
): void => {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`
  res.writeHead(status, {
    "content-type": "application/xml",
    "content-length": String(Buffer.byteLength(text))
  })
  res.end(text)
}

/** Reads a request body up to `limit` bytes; `undefined` when larger. */
export const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge = true
      else chunks.push(chunk)
    })
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** Waits until a writable response can take more data (or is closed). */
export const drained = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      res.off("drain", done)
      res.off("close", done)
      resolve()
    }
    res.on("drain", done)
    res.on("close", done)
  })
