import { mkdirSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoControl } from "./foreign.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

// The command line's output under attack: a hostile API on 127.0.0.1 (escape sequences in server
// text, an echoed email), presigned URLs, credential headers in profiles, and personal flag values in
// the process list.

const TASK_ID = "9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40"
const VICTIM = "Victim.Person@example.com"
/** OSC 52 (write the clipboard), OSC 0 (window title), CSI (clear the screen), a C1 CSI, and BEL. */
const ESCAPES = "\u001b]52;c;cm0gLXJmIH4K\u0007\u001b]0;pwned\u001b\\\u001b[2J\u009b31m\u0007"
/** A right-to-left override, an isolate and a zero-width space: text that reads other than it is. */
const HIDDEN = "\u202e\u2066\u200b"
/** A URL whose user info and query are credentials. */
const CREDENTIAL_URL = "https://alice:hunter2@files.example/x.csv?X-Amz-Signature=deadbeefcafe#f"

let sandbox: Sandbox.RunningSandbox
let hostile: Server
let hostileUrl = ""

const hostileTask = {
  asyncTaskId: TASK_ID,
  type: `crm${ESCAPES}${HIDDEN}`,
  requestDate: "2026-11-30T10:00:00Z",
  status: `COM${ESCAPES}`,
  percentage: 100,
  brand: `CAR${HIDDEN}${ESCAPES}`,
  signedDownloadUrl: "http://alice:hunter2@127.0.0.1:1/files/x.csv?expires=1&signature=deadbeefcafe",
  totalResults: 3
}

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const handle = (req: IncomingMessage, res: ServerResponse) => {
  let body = ""
  req.on("data", (chunk) => {
    body += chunk
  })
  req.on("end", () => {
    const path = (req.url ?? "/").split("?")[0]
    if (req.method === "GET" && path === "/tasks") return answer(res, 200, [hostileTask])
    if (req.method === "GET" && path === `/tasks/${TASK_ID}`) return answer(res, 200, hostileTask)
    if (req.method === "GET" && path?.startsWith("/tasks/")) {
      return answer(res, 403, {
        responseStatus: {
          errorCode: "Forbidden",
          message: `Not yours${ESCAPES}${HIDDEN}: ${CREDENTIAL_URL}`,
          errors: []
        }
      })
    }
    if (req.method === "POST" && path?.endsWith("/export")) {
      // echoes the request's email back, as some APIs do in validation messages
      const email = (JSON.parse(body) as { email?: string }).email ?? ""
      return answer(res, 400, {
        responseStatus: {
          errorCode: "NotFound",
          message: `No customer with email '${email}'`,
          errors: [{ errorCode: "NotFound", fieldName: "email", message: `'${email}' is unknown` }]
        }
      })
    }
    answer(res, 404, { responseStatus: { errorCode: "NotFound", message: "No such route." } })
  })
}

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 200, taskDurationMs: 0 })
  hostile = createServer(handle)
  await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve))
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`
}, 120_000)
afterAll(async () => {
  await sandbox?.close()
  await new Promise<void>((resolve) => (hostile ? hostile.close(() => resolve()) : resolve()))
})

const hostileEnv = () => ({ ...freshHome().env, BOOSTER_BASE_URL: hostileUrl, BOOSTER_API_KEY: "k" })
const sandboxEnv = () => ({
  ...freshHome().env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

describe("server text with terminal escapes", () => {
  it("tasks get and tasks list show the task without control characters, human and --json", async () => {
    const env = hostileEnv()
    for (const args of [
      ["tasks", "get", TASK_ID],
      ["tasks", "get", TASK_ID, "--json"],
      ["tasks", "list"],
      ["tasks", "list", "--json"]
    ]) {
      const result = await booster(args, { env })
      expect(result.code, args.join(" ")).toBe(0)
      expectNoControl(result)
      expect(result.stdout).toContain("COM")
    }
    const json = await booster(["tasks", "get", TASK_ID, "--json"], { env })
    expect(parseJson(json.stdout)).toMatchObject({ status: "COM", brand: "CAR", type: "crm" })
  })

  it("an error message from the server reaches stderr without control characters", async () => {
    const env = hostileEnv()
    for (const args of [
      ["tasks", "get", "00000000000000000000000000000001"],
      ["tasks", "get", "00000000000000000000000000000001", "--json"]
    ]) {
      const result = await booster(args, { env })
      expect(result.code).toBe(3)
      expectNoControl(result)
      expect(result.stderr).toContain("Not yours")
    }
  })
})

describe("URLs carrying credentials", () => {
  it("never show their user info or query: a task's download URL and an error quoting one, human and --json", async () => {
    const env = hostileEnv()
    const results = []
    for (const args of [
      ["tasks", "get", TASK_ID, "--json"],
      ["tasks", "list", "--json"],
      ["tasks", "get", "00000000000000000000000000000001"],
      ["tasks", "get", "00000000000000000000000000000001", "--json"]
    ]) {
      const result = await booster(args, { env })
      results.push(result)
      expect(`${result.stdout}${result.stderr}`, args.join(" ")).not.toMatch(/hunter2|alice|deadbeef|X-Amz/)
    }
    expect(parseJson(results[0]!.stdout)).toMatchObject({
      signedDownloadUrl: "http://127.0.0.1:1/files/x.csv?<redacted>"
    })
    expect(results[2]!.stderr).toContain("https://files.example/x.csv?<redacted>")
  })
})

describe("personal values echoed by the API", () => {
  it("an email echoed by a hostile API is in no output, human or --json", async () => {
    const env = hostileEnv()
    for (const json of [false, true]) {
      const result = await booster(
        [
          "export",
          "--brand",
          "CAR",
          "--pos-code",
          "IT100",
          "--email",
          VICTIM,
          "--yes",
          ...(json ? ["--json"] : [])
        ],
        { env }
      )
      expect(result.code).not.toBe(0)
      const all = `${result.stdout}${result.stderr}`.toLowerCase()
      expect(all).not.toContain(VICTIM.toLowerCase())
      expect(all).not.toContain("victim.person")
      // the API answered: the request was sent, and the hint must not say otherwise
      expect(all).not.toContain("nothing was sent")
    }
  })
})

describe("presigned download URLs", () => {
  it("are shown without their signature by tasks get, tasks list, tasks wait and export --wait", async () => {
    const env = sandboxEnv()
    const started = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--wait", "--json", "--yes"],
      {
        env
      }
    )
    expect(started.code).toBe(0)
    const { asyncTaskId, task } = parseJson(started.stdout) as {
      asyncTaskId: string
      task: Record<string, string>
    }
    expect(task.signedDownloadUrl).toBe(`${sandbox.storageUrl}/files/${asyncTaskId}.csv?<redacted>`)
    for (const args of [
      ["tasks", "get", asyncTaskId, "--json"],
      ["tasks", "list", "--json"],
      ["tasks", "wait", asyncTaskId, "--json"]
    ]) {
      const result = await booster(args, { env })
      expect(result.code, args.join(" ")).toBe(0)
      expect(result.stdout).toContain(`/files/${asyncTaskId}.csv?<redacted>`)
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/signature=|expires=/)
    }
    const downloaded = await booster(
      ["tasks", "download", asyncTaskId, "--download", "--json"].filter((a) => a !== "--download"),
      { env }
    )
    expect(downloaded.code).toBe(0)
    expect(downloaded.stdout).not.toMatch(/signature=/)
  })
})

describe("credential headers in a profile", () => {
  const profileHome = () => {
    const home = freshHome()
    const dir = join(home.env.XDG_CONFIG_HOME, "booster-export")
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileSync(
      join(dir, "profiles.json"),
      JSON.stringify({
        default: "prod",
        profiles: {
          prod: {
            baseUrl: sandbox.baseUrl,
            headers: {
              Authorization: "Bearer profile-secret-1",
              "X-Session-Token": "profile-secret-2",
              "X-Session-Id": "profile-secret-5",
              "X-Amz-Signature": "profile-secret-6",
              Cookie: "sid=profile-secret-3",
              "x-booster-App": "crm"
            }
          }
        }
      }),
      { mode: 0o600 }
    )
    return { ...home.env, BOOSTER_API_KEY: "env-secret-4" }
  }

  it("--dry-run shows one authorization header, every credential redacted", async () => {
    const env = profileHome()
    for (const json of [false, true]) {
      const result = await booster(
        ["export", "--brand", "CAR", "--pos-code", "IT100", "--dry-run", ...(json ? ["--json"] : [])],
        {
          env
        }
      )
      expect(result.code).toBe(0)
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/profile-secret|env-secret/)
      const shown = json
        ? Object.entries(parseJson(result.stdout).headers as Record<string, string>)
        : result.stdout
            .split("\n")
            .filter((line) => /^[A-Za-z-]+: /.test(line))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)] as const)
      const headers = Object.fromEntries(shown.map(([name, value]) => [name.toLowerCase(), value]))
      expect(shown.filter(([name]) => name.toLowerCase() === "authorization")).toHaveLength(1)
      expect(headers).toMatchObject({
        authorization: "<redacted>",
        "x-session-token": "<redacted>",
        "x-session-id": "<redacted>",
        "x-amz-signature": "<redacted>",
        cookie: "<redacted>",
        "x-booster-app": "crm"
      })
    }
  })

  it("config show redacts them", async () => {
    const env = profileHome()
    for (const json of [false, true]) {
      const result = await booster(["config", "show", ...(json ? ["--json"] : [])], { env })
      expect(result.code).toBe(0)
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/profile-secret|env-secret/)
      expect(result.stdout).toContain("crm")
    }
  })
})

describe("personal flag values", () => {
  it("are read from @FILE or from stdin, and given inline without a terminal print no warning", async () => {
    const home = freshHome()
    const file = join(home.root, "email.txt")
    writeFileSync(file, `${VICTIM}\n`, { mode: 0o600 })
    const env = { ...home.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    const base = ["export", "--brand", "CAR", "--pos-code", "IT100", "--dry-run", "--show-personal", "--json"]
    const fromFile = await booster([...base, "--email", `@${file}`], { env })
    expect(fromFile.code).toBe(0)
    expect((parseJson(fromFile.stdout).body as { email: string }).email).toBe(VICTIM.toLowerCase())
    const fromStdin = await booster([...base, "--phone-number", "-", "--search-key", "@@handle"], {
      env,
      input: "+39 333 1234567\n"
    })
    expect(fromStdin.code).toBe(0)
    expect(parseJson(fromStdin.stdout).body).toMatchObject({
      phoneNumber: "+39 333 1234567",
      searchKey: "@handle"
    })
    expect(fromStdin.stderr).not.toContain("visible to other local users")
    const missing = await booster([...base, "--email", `@${join(home.root, "absent.txt")}`], { env })
    expect(missing.code).toBe(2)
    expect(parseJson(missing.stderr)).toMatchObject({
      _tag: "UsageError",
      message: expect.stringContaining("--email")
    })
    const twice = await booster(["export", "--filter-file", "-", "--email", "-", "--dry-run", "--json"], {
      env,
      input: '{"brand":"CAR","posCodes":["IT100"]}'
    })
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain("both want stdin")
  })
})
