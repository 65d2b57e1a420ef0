/**
 * Fields of tool-specific arguments, built with core's field builders so that they validate and
 * generate JSON Schema exactly like the filter's fields.
 */
import { Field, Task } from "@booster-export/core"
import * as Purpose from "@booster-export/journal/Purpose"
import { Schema } from "effect"

const trim = (raw: unknown): unknown => (typeof raw === "string" ? raw.trim() : raw)

/** A task id (a Guid, dashes optional). */
export const asyncTaskId: Field.AnyField = {
  schema: Schema.String.pipe(
    Schema.filter((id) => Task.isGuid(id), {
      [Field.RuleId]: "guid",
      message: () => "must be a task id: 32 hexadecimal digits, dashes optional",
      jsonSchema: {
        pattern: "^\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?$"
      }
    })
  ).annotations({
    description: "The task id from start_export or list_export_tasks.",
    examples: ["9b2e4f0a-6c1d-4e8b-8f3a-2d5c7b9e1a40"]
  }),
  normalize: trim,
  kind: { _tag: "Text" },
  doc: { description: "The export task id." }
}

/** A bounded integer with a rule id and a message naming the bounds. */
export const boundedInteger = (
  name: string,
  description: string,
  min: number,
  max: number,
  examples: ReadonlyArray<number>
): Field.AnyField =>
  Field.integer(
    name,
    { description, examples },
    { min, max, rule: "range", message: `must be a whole number from ${min} to ${max}` }
  )

/** A whole number, 0 or more (a cap, if any, is applied by the tool, not refused). */
export const nonNegativeInteger = (
  description: string,
  examples: ReadonlyArray<number>,
  message: string
): Field.AnyField => ({
  schema: Schema.Number.pipe(
    Schema.int({ [Field.RuleId]: "range", message: () => message }),
    Schema.greaterThanOrEqualTo(0, { [Field.RuleId]: "range", message: () => message })
  ).annotations({ description, examples: examples as [number, ...Array<number>] }),
  normalize: (raw) => raw,
  kind: { _tag: "Integer" },
  doc: { description, examples }
})

/** Text with a length cap. */
export const boundedText = (
  name: string,
  description: string,
  max: number,
  examples: ReadonlyArray<string>
): Field.AnyField => {
  const base = Field.text(name, { description, examples })
  return {
    ...base,
    schema: base.schema
      .pipe(
        Schema.filter((value) => (value as string).length <= max, {
          [Field.RuleId]: "max-length",
          message: () => `must be at most ${max} characters`,
          jsonSchema: { maxLength: max }
        })
      )
      .annotations({ description, examples: examples as [string, ...Array<string>] })
  }
}

/** One of a few literal values, read without regard to case or surrounding spaces. */
export const oneOf = (description: string, values: ReadonlyArray<string>): Field.AnyField => {
  const byLower = new Map(values.map((value) => [value.toLowerCase(), value]))
  return {
    schema: Schema.String.pipe(
      Schema.filter((value) => values.includes(value), {
        [Field.RuleId]: "one-of",
        message: () => `must be one of ${values.join(", ")}`,
        jsonSchema: { enum: values }
      })
    ).annotations({ description, examples: [values[0]!] }),
    normalize: (raw) => {
      if (typeof raw !== "string") return raw
      const lower = raw.trim().toLowerCase()
      return byLower.get(lower) ?? lower
    },
    kind: { _tag: "Text" },
    doc: { description, examples: [values[0]] }
  }
}

/**
 * The purpose recorded in the journal: the journal's one `Purpose` rule (ticket-like text, bounded,
 * no phone number or date), each break reported by its rule id, never repeating the value.
 */
export const purposeText = (description: string, examples: ReadonlyArray<string>): Field.AnyField => {
  const base = boundedText("purpose", description, Purpose.MAX_LENGTH, examples)
  return {
    ...base,
    // one refinement per rule (the first rule broken fails), each with its rule id and message
    schema: Purpose.RULES.reduce(
      (schema, rule) =>
        schema.pipe(
          Schema.filter((value) => Purpose.problem(value as string)?.rule !== rule, {
            [Field.RuleId]: rule,
            message: () => Purpose.messageOf(rule).replace(/^purpose /, "")
          })
        ),
      base.schema
    ).annotations({ description, examples: examples as [string, ...Array<string>] })
  }
}

/** A true / false flag. */
export const flag = (name: string, description: string): Field.AnyField => Field.flag(name, { description })
