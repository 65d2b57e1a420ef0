import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, Fingerprint, Validation } from "../src/index.js"
import { example } from "./fixtures.js"

const normalized = (input: unknown) => {
  const result = Validation.validate(ExportFilter.CustomerExportRequest, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("fingerprint", () => {
  const base = normalized(example)

  it("is a sha256 that ignores downloadRequestId", () => {
    const fp = Fingerprint.fingerprint(base)
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(Fingerprint.fingerprint({ ...base, downloadRequestId: "another" })).toBe(fp)
    expect(Fingerprint.short(fp)).toHaveLength(12)
  })

  it("ignores list order and how the filter was written", () => {
    const rewritten = normalized({
      ...example,
      posCodes: ["IT200", " ES100"],
      customerStatus: ["Prospect", "Client"],
      locationCountryIds: ["FR", "IT"]
    })
    expect(Fingerprint.fingerprint(rewritten)).toBe(Fingerprint.fingerprint(base))
  })

  it("changes when the selection changes", () => {
    const prints = new Set(
      [
        base,
        { ...base, posCodes: ["ES100"] },
        { ...base, brand: "IWC" },
        { ...base, canBeContactedByMaison: false },
        { ...base, clientSpendingTo: 50001 }
      ].map(Fingerprint.fingerprint)
    )
    expect(prints.size).toBe(5)
  })

  it("is stable across releases for the same filter", () => {
    expect(Fingerprint.canonicalText(base)).toBe(
      '{"brand":"CAR","canBeContactedByMaison":true,"clientSpendingFrom":100,"clientSpendingTo":50000,' +
        '"creationDateFrom":"2022-01-01","creationDateTo":"2023-11-01","customerStatus":["Client","Prospect"],' +
        '"locationCountryIds":["fr","it"],"posCodes":["ES100","IT200"]}'
    )
  })
})
