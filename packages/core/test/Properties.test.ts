import { Either, FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import {
  ExportFilter,
  ExportKind,
  type FilterSpec,
  Fingerprint,
  Validation,
  WireFormat
} from "../src/index.js"
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

const reverseLists = <A extends object>(request: A): A =>
  Object.fromEntries(
    Object.entries(request).map(([key, value]) => [key, Array.isArray(value) ? [...value].reverse() : value])
  ) as A

/** Every valid request of `spec` survives encode → decode unchanged. */
const roundTrips = <A>(
  spec: FilterSpec.FilterSpec<A>,
  values: fc.Arbitrary<A>,
  options: { numRuns: number }
) =>
  fc.assert(
    fc.property(values, (request) => {
      const decoded = Validation.validate(spec, JSON.parse(WireFormat.encodeBody(spec, request)))
      expect(Either.isRight(decoded) && decoded.right).toEqual(request)
    }),
    options
  )

/** Junk mixed into a valid request of `spec` is reported by field, never thrown. */
const reportsJunk = <A>(
  spec: FilterSpec.FilterSpec<A>,
  values: fc.Arbitrary<A>,
  options: { numRuns: number }
) => {
  const junkFields = fc.dictionary(
    fc.constantFrom(...Object.keys(spec.fields), "posCode", "extra"),
    fc.oneof(fc.jsonValue(), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY))
  )
  fc.assert(
    fc.property(values, junkFields, (request, junk) => {
      const result = Validation.validate(spec, { ...request, ...junk })
      if (Either.isLeft(result)) {
        for (const issue of result.left.issues) {
          expect(issue.path === "" || /^[A-Za-z]/.test(issue.path)).toBe(true)
          expect(issue.message.length).toBeGreaterThan(0)
        }
      }
    }),
    options
  )
}

describe("properties", () => {
  it("every valid request survives encode → decode unchanged", () => roundTrips(spec, requests, runs))

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

  it("junk mixed into a valid request is reported by field, never thrown", () =>
    reportsJunk(spec, requests, runs))
})

describe.each(
  ExportKind.all.filter((kind) => kind !== ExportKind.Customer).map((kind) => [kind.name, kind] as const)
)("properties of %s exports", (_, kind) => {
  const kindRequests = arbitrary(kind.request) as fc.Arbitrary<Record<string, unknown>>
  const check = (input: unknown) => Validation.validate(kind.request, input)
  const fewer = { numRuns: 300 }

  /** Padding, upper or lower case in closed values, duplicated list members. */
  const careless = (request: Record<string, unknown>, seed: number): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(request).map(([name, value]) => {
        const field = kind.request.fields[name]!
        const choice =
          field.kind._tag === "Choice" || (field.kind._tag === "List" && field.kind.item._tag === "Choice")
        const spell = (v: unknown) =>
          typeof v !== "string"
            ? v
            : choice
              ? seed % 2 === 0
                ? ` ${v.toLowerCase()} `
                : v.toUpperCase()
              : seed % 3 === 0
                ? ` ${v}\t`
                : v
        if (Array.isArray(value)) return [name, [...value, ...value.slice(0, 1)].map(spell)]
        return [name, spell(value)]
      })
    )

  it("every valid request survives encode → decode unchanged", () =>
    roundTrips(kind.request, kindRequests, fewer))

  it("careless spellings normalise to the same request, with the same fingerprint", () => {
    fc.assert(
      fc.property(kindRequests, fc.nat(), (request, seed) => {
        const once = check(careless(request, seed))
        if (Either.isLeft(once)) throw new Error(once.left.message)
        expect(once.right).toEqual(request)
        expect(ExportKind.fingerprint(kind, testKey, once.right)).toBe(
          ExportKind.fingerprint(kind, testKey, request)
        )
      }),
      fewer
    )
  })

  it("the fingerprint ignores list order and downloadRequestId, and is never a customer's", () => {
    fc.assert(
      fc.property(kindRequests, fc.string(), (request, otherId) => {
        const reordered = { ...reverseLists(request), downloadRequestId: otherId }
        const print = ExportKind.fingerprint(kind, testKey, request)
        expect(ExportKind.fingerprint(kind, testKey, reordered)).toBe(print)
        expect(Fingerprint.fingerprint(testKey, request)).not.toBe(print)
      }),
      fewer
    )
  })

  it("junk mixed into a valid request is reported by field, never thrown", () =>
    reportsJunk(kind.request, kindRequests, fewer))
})
