import { createHash, createHmac } from "node:crypto"
import { Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, Fingerprint, Validation } from "../src/index.js"
import { example, minimal, otherKey, siblings, testKey } from "./fixtures.js"

const normalized = (input: unknown) => {
  const result = Validation.validate(ExportFilter.CustomerExportRequest, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("fingerprint", () => {
  const base = normalized(example)
  const fingerprint = Fingerprint.fingerprint(testKey)

  it("is an HMAC-SHA-256 under the key that ignores downloadRequestId", () => {
    const fp = fingerprint(base)
    expect(fp).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
    expect(fp).toBe(
      `hmac-sha256:${createHmac("sha256", Redacted.value(testKey)).update(Fingerprint.canonicalText(base)).digest("hex")}`
    )
    expect(Fingerprint.fingerprint(testKey, { ...base, downloadRequestId: "another" })).toBe(fp)
    expect(Fingerprint.short(fp)).toHaveLength(12)
    expect(Fingerprint.short(fp)).toBe(fp.slice("hmac-sha256:".length, "hmac-sha256:".length + 12))
  })

  it("differs between keys for the same filter", () => {
    expect(Fingerprint.fingerprint(otherKey, base)).not.toBe(fingerprint(base))
  })

  it("cannot be recomputed from a guessed value without the key", () => {
    const withEmail = normalized({ ...example, email: "ada@example.com" })
    const fp = fingerprint(withEmail)
    const unkeyed = (text: string) => createHash("sha256").update(text).digest("hex")
    expect(fp).not.toContain(unkeyed(Fingerprint.canonicalText(withEmail)))
    expect(fingerprint(normalized({ ...example, email: "grace@example.com" }))).not.toBe(fp)
    expect(fingerprint(normalized({ ...example, email: " ADA@example.com " }))).toBe(fp)
  })

  it("ignores list order and how the filter was written", () => {
    const rewritten = normalized({
      ...example,
      posCodes: ["IT200", " ES100"],
      customerStatus: ["Prospect", "Client"],
      locationCountryIds: ["FR", "IT"]
    })
    expect(fingerprint(rewritten)).toBe(fingerprint(base))
  })

  it("changes when the selection changes", () => {
    const prints = new Set(
      [
        base,
        { ...base, posCodes: ["ES100"] },
        { ...base, brand: "IWC" },
        { ...base, canBeContactedByMaison: false },
        { ...base, clientSpendingTo: 50001 }
      ].map(fingerprint)
    )
    expect(prints.size).toBe(5)
  })

  it("tells keyed fingerprints from the unkeyed ones of older versions", () => {
    expect(Fingerprint.isKeyed(fingerprint(base))).toBe(true)
    expect(Fingerprint.isKeyed(`sha256:${"a".repeat(64)}`)).toBe(false)
    expect(Fingerprint.short(`sha256:${"ab".repeat(32)}`)).toBe("abababababab")
  })

  it("never prints the key", () => {
    expect(String(testKey)).not.toContain("7,7")
    expect(JSON.stringify({ key: testKey })).not.toContain("7,7")
  })

  it("is stable across releases for the same filter", () => {
    expect(Fingerprint.canonicalText(base)).toBe(
      '{"brand":"CAR","canBeContactedByMaison":true,"clientSpendingFrom":100,"clientSpendingTo":50000,' +
        '"creationDateFrom":"2022-01-01","creationDateTo":"2023-11-01","customerStatus":["Client","Prospect"],' +
        '"locationCountryIds":["fr","it"],"posCodes":["ES100","IT200"]}'
    )
  })

  it("is, for customers, exactly what versions before the other export kinds computed", () => {
    // recorded with the version that knew only customer exports: journal entries written then match
    const prepared = (input: object) => {
      const result = ExportKind.prepare(ExportKind.Customer, input, { fingerprintKey: testKey })
      if (Either.isLeft(result)) throw new Error(result.left.message)
      return result.right.fingerprint
    }
    expect(prepared(example)).toBe(
      "hmac-sha256:eb4044f03b2d6c8d0564a8cb6b775c5f48774a42c000a7f97218f328b62d498b"
    )
    expect(prepared(minimal)).toBe(
      "hmac-sha256:d21b7772e5a06a1b51b08812755c401804ff630066f831a560e755108c2495c2"
    )
    expect(
      prepared({
        ...example,
        email: "ada@example.com",
        saleRepresentativeEmails: ["rep@shop.it"],
        productCategories: [{ grandCategoryId: "JEW", categoryId: "RNG-GLD" }]
      })
    ).toBe("hmac-sha256:44c4331b179d1da6e8d61ae103b88eb081e189c9c3cec12da0a5db77d949ad4d")
    expect(ExportKind.fingerprint(ExportKind.Customer, testKey, base)).toBe(fingerprint(base))
  })

  it("differs between export kinds for the same brand and POS codes", () => {
    const same = { brand: "CAR", posCodes: ["ES100"] }
    const prints = ExportKind.all.map((kind) => ExportKind.fingerprint(kind, testKey, same))
    expect(new Set(prints).size).toBe(ExportKind.all.length)
    expect(prints[0]).toBe(fingerprint(same))
    expect(Fingerprint.canonicalText(same, "stock")).toBe('stock\n{"brand":"CAR","posCodes":["ES100"]}')
  })

  it("of another kind, ignores downloadRequestId and list order, and keeps its key", () => {
    const stock = normalizedAs(ExportKind.Stock, siblings.stock)
    const reordered = normalizedAs(ExportKind.Stock, {
      ...siblings.stock,
      downloadRequestId: "another",
      posCodes: ["IT200", "ES100"]
    })
    const print = (key: Fingerprint.Key, value: object) =>
      ExportKind.fingerprint(ExportKind.Stock, key, value)
    expect(print(testKey, reordered)).toBe(print(testKey, stock))
    expect(print(otherKey, stock)).not.toBe(print(testKey, stock))
    expect(print(testKey, { ...stock, includeRSP: false })).not.toBe(print(testKey, stock))
  })
})

const normalizedAs = (kind: ExportKind.Any, input: unknown): object => {
  const result = Validation.validate(kind.request, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}
