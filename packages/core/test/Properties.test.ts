import { Either, FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, Fingerprint, Validation, WireFormat } from "../src/index.js"
import { arbitrary } from "./arbitraries.js"
import { testKey } from "./fixtures.js"

const spec = ExportFilter.CustomerExportRequest
type Request = ExportFilter.CustomerExportRequest
const requests = arbitrary(spec)
const runs = { numRuns: 1000 }

const validate = (input: unknown) => Validation.validate(spec, input)

/** Rewrites a valid request the way a careless person would: padding, upper case, duplicates. */
const messUp = (request: Request, seed: number): Record<string, unknown> => {
  const pad = (s: string) => (seed % 2 === 0 ? ` ${s}\t` : s)
  const out: Record<string, unknown> = {
    ...request,
    brand: pad(request.brand),
    posCodes: [...request.posCodes, ...request.posCodes.slice(0, 1)].map(pad)
  }
  if (request.email) out.email = ` ${request.email.toUpperCase()} `
  if (request.locationCountryIds)
    out.locationCountryIds = request.locationCountryIds.map((id) => id.toUpperCase())
  if (request.customerStatus)
    out.customerStatus = [...request.customerStatus, ...request.customerStatus].map(pad)
  return out
}

const reverseLists = (request: Request): Request =>
  Object.fromEntries(
    Object.entries(request).map(([key, value]) => [key, Array.isArray(value) ? [...value].reverse() : value])
  ) as unknown as Request

describe("properties", () => {
  it("every valid request survives encode → decode unchanged", () => {
    fc.assert(
      fc.property(requests, (request) => {
        const decoded = validate(JSON.parse(WireFormat.encodeBody(spec, request)))
        expect(Either.isRight(decoded) && decoded.right).toEqual(request)
      }),
      runs
    )
  })

  it("normalisation is idempotent, and careless spellings normalise to the same value", () => {
    fc.assert(
      fc.property(requests, fc.nat(), (request, seed) => {
        const once = validate(messUp(request, seed))
        if (Either.isLeft(once)) throw new Error(once.left.message)
        const twice = validate(once.right)
        expect(Either.isRight(twice) && twice.right).toEqual(once.right)
        expect(once.right.brand).toBe(request.brand)
        expect(Fingerprint.fingerprint(testKey, once.right)).toBe(Fingerprint.fingerprint(testKey, request))
      }),
      runs
    )
  })

  it("normalising raw input twice changes nothing more than once", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const once = spec.normalize(raw)
        expect(spec.normalize(once)).toEqual(once)
      }),
      runs
    )
  })

  it("the fingerprint ignores list order and downloadRequestId", () => {
    fc.assert(
      fc.property(requests, fc.string(), (request, otherId) => {
        const reordered = { ...reverseLists(request), downloadRequestId: otherId }
        expect(Fingerprint.fingerprint(testKey, reordered)).toBe(Fingerprint.fingerprint(testKey, request))
      }),
      runs
    )
  })

  it("arbitrary JSON yields the structured error, never an exception", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (junk) => {
        const result = validate(junk)
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left._tag).toBe("ValidationError")
          expect(result.left.issues.length).toBeGreaterThan(0)
        }
      }),
      runs
    )
  })

  it("junk mixed into a valid request is reported by field, never thrown", () => {
    const junkFields = fc.dictionary(
      fc.constantFrom(...Object.keys(spec.fields), "posCode", "extra"),
      fc.oneof(fc.jsonValue(), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY))
    )
    fc.assert(
      fc.property(requests, junkFields, (request, junk) => {
        const result = validate({ ...request, ...junk })
        if (Either.isLeft(result)) {
          for (const issue of result.left.issues) {
            expect(issue.path === "" || /^[A-Za-z]/.test(issue.path)).toBe(true)
            expect(issue.message.length).toBeGreaterThan(0)
          }
        }
      }),
      runs
    )
  })
})
