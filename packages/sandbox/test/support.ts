import { request } from "node:http"
import { ExportKind } from "@booster-export/core"
import { Csv, type Sandbox } from "../src/index.js"

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

const read = async (response: Response): Promise<Reply> => {
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export const auth = (sb: Sandbox.RunningSandbox): Record<string, string> => ({
  authorization: `Bearer ${sb.apiKey}`
})

export const post = async (
  sb: Sandbox.RunningSandbox,
  body: unknown,
  options: { brand?: string; headers?: Record<string, string>; kind?: ExportKind.Name } = {}
): Promise<Reply> => {
  const brand = options.brand ?? (body as { brand?: string }).brand ?? "CAR"
  const path = ExportKind.byName(options.kind ?? "customers").path.replace(
    "{brand}",
    encodeURIComponent(brand)
  )
  return read(
    await fetch(`${sb.baseUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(options.headers ?? auth(sb))
      },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
  )
}

export const get = async (
  sb: Sandbox.RunningSandbox,
  path: string,
  headers: Record<string, string> = auth(sb)
): Promise<Reply> =>
  read(await fetch(`${sb.baseUrl}${path}`, { headers: { accept: "application/json", ...headers } }))

export const download = async (url: string, headers: Record<string, string> = {}): Promise<Reply> =>
  read(await fetch(url, { headers }))

export interface TaskJson {
  readonly asyncTaskId: string
  readonly status: string
  readonly percentage: number
  readonly brand: string
  readonly type: string
  readonly requestDate: string
  readonly downloadUrl?: string
  readonly signedDownloadUrl?: string
  readonly totalResults?: number
  readonly totalSucceeded?: number
  readonly totalFailed?: number
}

let counter = 0
export const requestId = (): string => `test-${++counter}`

/** Starts an export (taskDurationMs 0 sandbox) of a kind, reads the task and downloads the CSV. */
export const runExport = async (
  sb: Sandbox.RunningSandbox,
  filter: Record<string, unknown>,
  kind: ExportKind.Name = "customers"
): Promise<{ task: TaskJson; rows: Array<Array<string>>; header: Array<string> }> => {
  const created = await post(sb, { downloadRequestId: requestId(), ...filter }, { kind })
  if (created.status !== 200) throw new Error(`export answered ${created.status}: ${created.text}`)
  const id = (created.json as { asyncTaskId: string }).asyncTaskId
  const task = (await get(sb, `/tasks/${id}`)).json as TaskJson
  if (task.status !== "COM" || task.signedDownloadUrl === undefined) throw new Error(`task is ${task.status}`)
  const file = await download(task.signedDownloadUrl)
  if (file.status !== 200) throw new Error(`download answered ${file.status}`)
  if (Number(file.headers.get("content-length")) !== Buffer.byteLength(file.text)) {
    throw new Error("content-length does not match the body")
  }
  const [header, ...rows] = Csv.parse(file.text)
  return { task, rows, header: header ?? [] }
}

/** A raw GET with node:http, reporting bytes received and whether the connection ended early. */
export const rawGet = (
  url: string
): Promise<{ status: number; contentLength: number; received: number; aborted: boolean }> =>
  new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let received = 0
      let aborted = false
      res.on("data", (chunk: Buffer) => {
        received += chunk.length
      })
      res.on("aborted", () => {
        aborted = true
      })
      res.on("error", () => {
        aborted = true
      })
      res.on("close", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentLength: Number(res.headers["content-length"]),
          received,
          aborted: aborted || !res.complete
        })
      )
    })
    req.on("error", reject)
    req.end()
  })
