import { ApiMetadata } from "@booster-export/core"
import { describe, expect, it } from "vitest"
import { Faults, Sandbox } from "../src/index.js"

describe("GET /types/metadata and the Date header", () => {
  it("serves core's MetadataTypes document without credentials, in step with core", async () => {
    const sandbox = await Sandbox.start({ customers: 10 })
    try {
      const response = await fetch(`${sandbox.baseUrl}/types/metadata`)
      expect(response.status).toBe(200)
      const doc = ApiMetadata.decode(await response.text())
      expect(doc).toBeDefined()
      expect(ApiMetadata.compare(doc!).differences).toEqual([])
      expect((await fetch(`${sandbox.baseUrl}/types/metadata`, { method: "POST" })).status).toBe(405)
    } finally {
      await sandbox.close()
    }
  })

  it("serves the document it is given", async () => {
    const sandbox = await Sandbox.start({ customers: 10, metadata: { operations: [] } })
    try {
      expect(await (await fetch(`${sandbox.baseUrl}/types/metadata`)).json()).toEqual({ operations: [] })
    } finally {
      await sandbox.close()
    }
  })

  it("streams an endless metadata answer (oversize) without a length until the client hangs up", async () => {
    const sandbox = await Sandbox.start({
      customers: 10,
      faults: Faults.parse(`metadata:oversize=${3 * 1024 ** 3}`)
    })
    try {
      const response = await fetch(`${sandbox.baseUrl}/types/metadata`)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-length")).toBeNull()
      const reader = response.body!.getReader()
      let read = 0
      let head = ""
      while (read < 16 * 1024 * 1024) {
        const { value, done } = await reader.read()
        if (done) throw new Error("the answer ended early")
        if (head === "") head = Buffer.from(value).subarray(0, 9).toString()
        read += value.length
      }
      await reader.cancel()
      expect(head).toBe('{"junk":"')
      // the rule was used up: the next answer is the document again
      expect(
        ApiMetadata.decode(await (await fetch(`${sandbox.baseUrl}/types/metadata`)).text())
      ).toBeDefined()
    } finally {
      await sandbox.close()
    }
  })

  it("shifts its Date header by clockSkewMs", async () => {
    const sandbox = await Sandbox.start({ customers: 10, clockSkewMs: 300_000 })
    try {
      const response = await fetch(`${sandbox.baseUrl}/tasks`)
      const skew = Date.parse(response.headers.get("date")!) - Date.now()
      expect(skew).toBeGreaterThan(295_000)
      expect(skew).toBeLessThan(305_000)
    } finally {
      await sandbox.close()
    }
  })
})
