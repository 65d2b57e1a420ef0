import { Ajv2019 } from "ajv/dist/2019.js"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, JsonSchema } from "../src/index.js"

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
