import { Ajv2019 } from "ajv/dist/2019.js"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, JsonSchema } from "../src/index.js"

const schema = JsonSchema.ofFilter(ExportFilter.CustomerFilter)
const ajv = new Ajv2019({ allErrors: true, strict: false })
const check = ajv.compile(schema)

describe("generated JSON Schema of the customer filter", () => {
  it("is an object schema fit for an MCP tool inputSchema (no $ref, no unknown members)", () => {
    expect(schema.type).toBe("object")
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(["brand", "posCodes"])
    expect(JSON.stringify(schema)).not.toContain("$ref")
  })

  it("documents every field with a description", () => {
    const properties = schema.properties as Record<string, { description?: string }>
    expect(Object.keys(properties)).toEqual(Object.keys(ExportFilter.CustomerFilter.fields))
    for (const [name, property] of Object.entries(properties)) {
      expect(property.description, name).toBeTruthy()
    }
  })

  it("accepts valid filters and refuses invalid ones, as the validator does", () => {
    expect(
      check({ brand: "CAR", posCodes: ["ES100"], birthdateMonths: [1], creationDateFrom: "2022-01-01" })
    ).toBe(true)
    expect(check({ brand: "CAR", posCodes: [] })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], posCode: ["x"] })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], birthdateMonths: [13] })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], interests: [{ interest: "Watches" }] })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], hobbies: [{}] })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], clientSpendingFrom: -1 })).toBe(false)
    expect(check({ brand: "CAR", posCodes: ["ES100"], locationCountryIds: ["ita"] })).toBe(false)
  })

  it("matches the recorded schema (a change here changes every tool and flag)", () => {
    expect(schema).toMatchSnapshot()
  })
})

describe("JSON Schema of any Effect Schema", () => {
  it("is self-contained: no $schema, $defs, $id or titles", () => {
    const Output = Schema.Struct({
      status: Schema.String.annotations({ title: "Status", description: "Where the task is." }),
      rows: Schema.optional(Schema.Number)
    }).annotations({ title: "Output" })
    const generated = JsonSchema.of(Output)
    expect(generated).toMatchObject({
      type: "object",
      properties: { status: { type: "string", description: "Where the task is." } },
      required: ["status"]
    })
    expect(JSON.stringify(generated)).not.toMatch(/"\$schema"|"\$defs"|"\$id"|"title"/)
  })

  it("refuses a schema that needs $ref", () => {
    const Named = Schema.Struct({ a: Schema.String }).annotations({ identifier: "Named" })
    expect(() => JsonSchema.of(Schema.Struct({ one: Named, two: Named }))).toThrow(/\$ref/)
  })
})

describe("generated JSON Schema of every other export kind", () => {
  const kinds = ExportKind.all.filter((kind) => kind !== ExportKind.Customer)
  const compiled = (kind: ExportKind.Any) => ajv.compile(JsonSchema.ofFilter(kind.filter))
  const least = { brand: "CAR", posCodes: ["ES100"] }

  it.each(kinds.map((kind) => [kind.name, kind] as const))(
    "%s: an MCP-ready object schema, every field described, matching the recorded one",
    (_, kind) => {
      const generated = JsonSchema.ofFilter(kind.filter)
      expect(generated.type).toBe("object")
      expect(generated.additionalProperties).toBe(false)
      expect(generated.required).toEqual(kind === ExportKind.Stock ? ["brand"] : ["brand", "posCodes"])
      expect(JSON.stringify(generated)).not.toContain("$ref")
      const properties = generated.properties as Record<string, { description?: string }>
      expect(Object.keys(properties)).toEqual(Object.keys(kind.filter.fields))
      for (const [name, property] of Object.entries(properties))
        expect(property.description, name).toBeTruthy()
      expect(generated).toMatchSnapshot()
    }
  )

  it("lists the allowed values of closed sets as enum, and says them in the description", () => {
    const properties = (kind: ExportKind.Any) =>
      JsonSchema.ofFilter(kind.filter).properties as Record<string, Record<string, unknown>>
    expect(properties(ExportKind.Stock).type).toMatchObject({
      type: "string",
      enum: ["standard", "consigned"]
    })
    expect(properties(ExportKind.Movement).sortBy).toMatchObject({ enum: ["DateDESC", "DateASC"] })
    expect(properties(ExportKind.SellOut).selloutType).toMatchObject({ enum: ["sellout", "return"] })
    const status = properties(ExportKind.Order).status!
    expect(status.items).toMatchObject({ enum: ["B", "C", "D", "I", "N", "P", "PS", "R", "X", "Z"] })
    expect(status.description).toContain("I (in transit), N (pending)")
    expect(properties(ExportKind.Movement).sortBy!.description).toContain(
      "DateDESC (newest first, the default)"
    )
  })

  it("accepts what validation accepts and refuses what it refuses", () => {
    const stock = compiled(ExportKind.Stock)
    expect(stock({ brand: "CAR" })).toBe(true)
    expect(stock({ brand: "CAR", type: "consigned", includeRSP: true, dateFrom: "2024-01-01" })).toBe(true)
    expect(stock({ brand: "CAR", type: "all" })).toBe(false)
    expect(stock({ brand: "CAR", includeRSP: "yes" })).toBe(false)
    const movements = compiled(ExportKind.Movement)
    expect(movements({ ...least, sortBy: "DateASC", movementTypeIds: [0, 3] })).toBe(true)
    expect(movements({ brand: "CAR" })).toBe(false)
    expect(movements({ ...least, movementTypeIds: [-1] })).toBe(false)
    const sellOut = compiled(ExportKind.SellOut)
    expect(sellOut({ ...least, warrantyExtensionStatusIds: [1, 6], selloutType: "return" })).toBe(true)
    expect(sellOut({ ...least, warrantyExtensionStatusIds: [7] })).toBe(false)
    expect(sellOut({ ...least, saleRepresentativeEmails: ["rep@maison.example"] })).toBe(true)
    const orders = compiled(ExportKind.Order)
    expect(orders({ ...least, status: ["I", "N"], reasonCode: ["Y00"] })).toBe(true)
    expect(orders({ ...least, status: ["IN"] })).toBe(false)
    expect(orders({ ...least, reasonCodes: ["Y00"] })).toBe(false)
    const invoices = compiled(ExportKind.Invoice)
    expect(
      invoices({ ...least, reasonCodes: ["Y00"], productCategories: [{ grandCategoryId: "JEW" }] })
    ).toBe(true)
    expect(invoices({ ...least, productCategories: [{ categoryId: "RNG" }] })).toBe(false)
  })
})
