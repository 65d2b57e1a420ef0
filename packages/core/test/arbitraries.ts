/**
 * Property-test generators of valid, already-normalised requests, derived from a filter's schema.
 * They live beside the tests so that fast-check never reaches the production code of core.
 */
import { Arbitrary, FastCheck as fc, Schema, type SchemaAST } from "effect"
import { Field, type FilterSpec } from "../src/index.js"

const DAY = 86_400_000

/** Generators for the rules whose samples must already be normalised (trimmed, lower-cased). */
const text = fc
  .string({ minLength: 1, maxLength: 16 })
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && !Field.hasControlCharacters(s))

const byRule: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  "non-empty": text,
  "no-control-characters": text,
  "route-segment": text.filter((s) => !/^\.+$/.test(s)),
  email: fc
    .tuple(
      fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,10}$/),
      fc.stringMatching(/^[a-z0-9]{1,10}$/),
      fc.constantFrom("com", "it", "fr", "co.uk")
    )
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
  date: fc
    .integer({ min: Date.UTC(1900, 0, 1) / DAY, max: Date.UTC(2099, 11, 31) / DAY })
    .map((day) => new Date(day * DAY).toISOString().slice(0, 10))
}

/** Lists mean "any of": members are distinct by value, as normalisation leaves them. */
const canonicalKey = (value: unknown): string => JSON.stringify(Field.canonicalize(value))

const listOf = (ast: SchemaAST.AST, minLength: number): fc.Arbitrary<unknown> => {
  if (ast._tag !== "TupleType" || ast.rest.length !== 1) throw new Error(`not a list: ${ast._tag}`)
  return fc.uniqueArray(arbitraryOf(ast.rest[0]!.type), { minLength, maxLength: 4, selector: canonicalKey })
}

/** A generator of valid, normalised values of a schema built with the field builders of core. */
export const arbitraryOf = (ast: SchemaAST.AST): fc.Arbitrary<unknown> => {
  const rule = ast.annotations[Field.RuleId]
  if (typeof rule === "string" && Object.hasOwn(byRule, rule)) return byRule[rule]!
  switch (ast._tag) {
    case "TupleType":
      return listOf(ast, 0)
    case "TypeLiteral":
      return fc.record(
        Object.fromEntries(ast.propertySignatures.map((p) => [String(p.name), arbitraryOf(p.type)])),
        { requiredKeys: ast.propertySignatures.filter((p) => !p.isOptional).map((p) => String(p.name)) }
      )
    case "Refinement":
      if (rule === "non-empty-list") return listOf(ast.from, 1)
      // a whole-object rule (at least one member, ranges in order): generate the object, keep valid ones
      if (ast.from._tag === "TypeLiteral") return arbitraryOf(ast.from).filter(Schema.is(Schema.make(ast)))
      break
  }
  return Arbitrary.make(Schema.make(ast))
}

/** Valid, normalised values of a filter specification. */
export const arbitrary = <A>(spec: FilterSpec.FilterSpec<A>): fc.Arbitrary<A> =>
  arbitraryOf(spec.schema.ast) as fc.Arbitrary<A>
