/**
 * The API's contract as ServiceStack publishes it (`GET /types/metadata`, the `MetadataTypes`
 * document every ServiceStack service serves), and how it compares with this package's model.
 *
 * - {@link MetadataTypes}: the part of ServiceStack's `MetadataTypes` this package reads (operations
 *   with their request and response types and routes; types with their properties and base type).
 *   Unknown members are ignored.
 * - {@link document}: the document core's model implies for the six export kinds and the task
 *   routes, generated from the same schemas that validate requests (the sandbox serves it).
 * - {@link compare}: every field added, removed or changed between a served document and core's, by
 *   name — the operation's route and verb, the request's properties (inherited ones included), their
 *   JSON types and required flags, the nested item types, and the task.
 *
 * Types are compared as JSON sees them (string, number, boolean, array of …, object of …):
 * `Int32` and `Double`, `Guid` and `String`, `T[]` and `List<T>`, `Nullable<T>` and `T` are the same on
 * the wire. Required flags are compared only for a type whose metadata marks at least one property
 * required: many services mark none, and that says nothing.
 *
 * @since 0.1.0
 */
import { Data, Either, Schema, SchemaAST } from "effect"
import * as ExportKind from "./ExportKind.js"
import type * as Field from "./Field.js"
import * as Task from "./Task.js"

const TypeName = Schema.Struct({
  name: Schema.String,
  namespace: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
  genericArgs: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, exact: true })
})

const DataMember = Schema.Struct({
  isRequired: Schema.optionalWith(Schema.Boolean, { nullable: true, exact: true })
})

/**
 * A property of a metadata type (`MetadataPropertyType`).
 *
 * @since 0.1.0
 */
export const MetadataProperty = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  genericArgs: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, exact: true }),
  isRequired: Schema.optionalWith(Schema.Boolean, { nullable: true, exact: true }),
  isValueType: Schema.optionalWith(Schema.Boolean, { nullable: true, exact: true }),
  description: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
  dataMember: Schema.optionalWith(DataMember, { nullable: true, exact: true })
})

/**
 * @since 0.1.0
 */
export type MetadataProperty = typeof MetadataProperty.Type

/**
 * A type (`MetadataType`): its name, base type and properties.
 *
 * @since 0.1.0
 */
export const MetadataType = Schema.Struct({
  name: Schema.String,
  namespace: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
  description: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
  inherits: Schema.optionalWith(TypeName, { nullable: true, exact: true }),
  properties: Schema.optionalWith(Schema.Array(MetadataProperty), { nullable: true, exact: true })
})

/**
 * @since 0.1.0
 */
export type MetadataType = typeof MetadataType.Type

/**
 * A route (`MetadataRoute`): its path template and verbs (comma-separated, or absent for any).
 *
 * @since 0.1.0
 */
export const MetadataRoute = Schema.Struct({
  path: Schema.String,
  verbs: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
  summary: Schema.optionalWith(Schema.String, { nullable: true, exact: true })
})

/**
 * @since 0.1.0
 */
export type MetadataRoute = typeof MetadataRoute.Type

/**
 * An operation (`MetadataOperationType`): the request type, its response, verbs and routes.
 *
 * @since 0.1.0
 */
export const MetadataOperation = Schema.Struct({
  request: MetadataType,
  response: Schema.optionalWith(MetadataType, { nullable: true, exact: true }),
  actions: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, exact: true }),
  returnType: Schema.optionalWith(TypeName, { nullable: true, exact: true }),
  routes: Schema.optionalWith(Schema.Array(MetadataRoute), { nullable: true, exact: true }),
  requiresAuth: Schema.optionalWith(Schema.Boolean, { nullable: true, exact: true })
})

/**
 * @since 0.1.0
 */
export type MetadataOperation = typeof MetadataOperation.Type

/**
 * The `MetadataTypes` document (the members this package reads).
 *
 * @since 0.1.0
 */
export const MetadataTypes = Schema.Struct({
  namespaces: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, exact: true }),
  types: Schema.optionalWith(Schema.Array(MetadataType), { nullable: true, exact: true }),
  operations: Schema.Array(MetadataOperation)
})

/**
 * @since 0.1.0
 */
export type MetadataTypes = typeof MetadataTypes.Type

/**
 * Where ServiceStack serves the document, relative to the API's base URL.
 *
 * @since 0.1.0
 */
export const PATH = "/types/metadata"

/**
 * The API's own names of the item types of the object-list fields (from its metadata pages).
 *
 * @since 0.1.0
 */
export const ITEM_TYPE_NAMES: Readonly<Record<string, string>> = {
  interests: "GetCustomerInterest",
  hobbies: "GetCustomerHobby",
  productCollections: "GetCustomerProductCollection",
  productCategories: "ProductCategory"
}

/**
 * The base types of the export requests that have one, by operation, with the fields the request
 * declares itself (the rest are inherited): `ExportCustomer : SearchCustomer`,
 * `ExportStock : StockRequest`, `ExportMovement : MovementsRequest`. The other exports are flat.
 *
 * @since 0.1.0
 */
export const BASE_TYPES: Readonly<
  Record<string, { readonly name: string; readonly own: ReadonlyArray<string> }>
> = {
  ExportCustomer: { name: "SearchCustomer", own: ["downloadRequestId"] },
  ExportStock: { name: "StockRequest", own: ["productCategories", "downloadRequestId"] },
  ExportMovement: { name: "MovementsRequest", own: ["downloadRequestId"] }
}
const NAMESPACE = "Richemont.Booster2.PublicApi"

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1)
const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1)

interface TypeRef {
  readonly type: string
  readonly genericArgs?: ReadonlyArray<string>
}

const scalarOf = (kind: Field.FieldKind): string => {
  switch (kind._tag) {
    case "Text":
      return "String"
    case "Date":
      return "DateTime"
    case "Number":
      return "Double"
    case "Integer":
      return "Int32"
    case "Boolean":
      return "Boolean"
    case "Choice":
      return "String"
    default:
      return "Object"
  }
}

const refOf = (name: string, kind: Field.FieldKind): TypeRef => {
  if (kind._tag === "List") {
    const item = kind.item._tag === "Record" ? (ITEM_TYPE_NAMES[name] ?? pascal(name)) : scalarOf(kind.item)
    return { type: "List`1", genericArgs: [item] }
  }
  if (kind._tag === "Date" || kind._tag === "Number" || kind._tag === "Boolean" || kind._tag === "Integer") {
    return { type: "Nullable`1", genericArgs: [scalarOf(kind)] }
  }
  return { type: scalarOf(kind) }
}

const property = (name: string, ref: TypeRef, required: boolean, description?: string): MetadataProperty => ({
  name: pascal(name),
  ...ref,
  ...(ref.genericArgs !== undefined ? { genericArgs: [...ref.genericArgs] } : {}),
  ...(required ? { isRequired: true } : {}),
  ...(description !== undefined ? { description } : {})
})

/** The members of an object schema (through arrays and refinements), with their required flags. */
const membersOf = (
  ast: SchemaAST.AST
): ReadonlyArray<{ readonly name: string; readonly required: boolean }> => {
  let node = ast
  while (node._tag === "Refinement" || node._tag === "TupleType" || node._tag === "Transformation") {
    if (node._tag === "Refinement") node = node.from
    else if (node._tag === "Transformation") node = node.to
    else if (node.rest[0] !== undefined) node = node.rest[0].type
    else break
  }
  return SchemaAST.getPropertySignatures(node).map((signature) => ({
    name: String(signature.name),
    required: !signature.isOptional
  }))
}

const nestedTypes = (spec: ExportKind.Any["request"]): ReadonlyArray<MetadataType> =>
  Object.entries(spec.fields).flatMap(([name, field]) => {
    if (field.kind._tag !== "List" || field.kind.item._tag !== "Record") return []
    const required = new Map(membersOf(field.schema.ast).map((m) => [m.name, m.required]))
    return [
      {
        name: ITEM_TYPE_NAMES[name] ?? pascal(name),
        namespace: NAMESPACE,
        properties: field.kind.item.members.map((member) =>
          property(member, { type: "String" }, required.get(member) === true)
        )
      }
    ]
  })

/** The JSON class of a schema node: string, number, boolean, or array of one. */
const jsonTypeOfAst = (ast: SchemaAST.AST): TypeRef => {
  switch (ast._tag) {
    case "Refinement":
      return jsonTypeOfAst(ast.from)
    case "Transformation":
      return jsonTypeOfAst(ast.from)
    case "Union": {
      const members = ast.types.filter((t) => t._tag !== "Literal" || t.literal !== null)
      const kept = members.filter((t) => t._tag !== "UndefinedKeyword")
      return kept.length === 1 ? jsonTypeOfAst(kept[0]!) : { type: "Object" }
    }
    case "StringKeyword":
      return { type: "String" }
    case "NumberKeyword":
      return { type: "Int32" }
    case "BooleanKeyword":
      return { type: "Boolean" }
    default:
      return { type: "Object" }
  }
}

/** The task type core reads, as metadata: every member of `Task.Task`, required when core needs it. */
const taskType = (): MetadataType => {
  const encoded = Schema.encodedSchema(Task.Task).ast
  return {
    name: "Task",
    namespace: NAMESPACE,
    properties: SchemaAST.getPropertySignatures(encoded).map((signature) =>
      property(String(signature.name), jsonTypeOfAst(signature.type), !signature.isOptional)
    )
  }
}

/** The request type (and its base type, when it has one) of an export kind. */
const requestTypes = (kind: ExportKind.Any): ReadonlyArray<MetadataType> => {
  const spec = kind.request
  const props = (names: ReadonlyArray<string>) =>
    names.map((name) => {
      const field = spec.fields[name]!
      return property(name, refOf(name, field.kind), spec.required.includes(name), field.doc.description)
    })
  const names = Object.keys(spec.fields)
  const base = BASE_TYPES[kind.operation]
  const request = {
    name: kind.operation,
    namespace: NAMESPACE,
    description: spec.description
  }
  if (base === undefined) return [{ ...request, properties: props(names) }]
  return [
    { ...request, inherits: { name: base.name, namespace: NAMESPACE }, properties: props(base.own) },
    {
      name: base.name,
      namespace: NAMESPACE,
      properties: props(names.filter((name) => !base.own.includes(name)))
    }
  ]
}

/**
 * The `MetadataTypes` document core's model implies: each export operation (its request type, over
 * its base type when it has one — `SearchCustomer`, `StockRequest`, `MovementsRequest` — the
 * response, the route and verb), the item types of their object lists, and the two task operations
 * (`GET /tasks`, `GET /tasks/{asyncTaskId}`) answering core's task. Default: every export kind.
 *
 * @since 0.1.0
 */
export const document = (kinds: ReadonlyArray<ExportKind.Any> = ExportKind.all): MetadataTypes => {
  const task = taskType()
  const types = new Map<string, MetadataType>()
  const operations = kinds.map((kind): MetadataOperation => {
    const [request, base] = requestTypes(kind)
    if (base !== undefined) types.set(base.name, base)
    for (const nested of nestedTypes(kind.request)) types.set(nested.name, nested)
    const response: MetadataType = {
      name: `${kind.operation}Response`,
      namespace: NAMESPACE,
      properties: [property("asyncTaskId", { type: "String" }, true, "The id of the export task created.")]
    }
    return {
      request: request!,
      response,
      actions: [kind.method],
      returnType: { name: response.name, namespace: NAMESPACE },
      routes: [{ path: kind.path, verbs: kind.method, summary: kind.summary }],
      requiresAuth: true
    }
  })
  return {
    namespaces: [NAMESPACE],
    types: [...types.values()],
    operations: [
      ...operations,
      {
        request: { name: "GetTask", namespace: NAMESPACE, properties: [] },
        actions: ["GET"],
        returnType: { name: "List`1", genericArgs: [task.name] },
        routes: [{ path: "/tasks", verbs: "GET" }],
        requiresAuth: true
      },
      {
        request: {
          name: "GetTaskDetail",
          namespace: NAMESPACE,
          properties: [property("asyncTaskId", { type: "String" }, true)]
        },
        response: task,
        actions: ["GET"],
        returnType: { name: task.name, namespace: NAMESPACE },
        routes: [{ path: "/tasks/{asyncTaskId}", verbs: "GET" }],
        requiresAuth: true
      }
    ]
  }
}

/**
 * One difference between the API's document and core's model. `field` names the place:
 * `ExportCustomer.route`, `ExportCustomer.posCodes`, `ExportCustomer.interests[].sapInterestId`,
 * `Task.percentage`.
 *
 * @since 0.1.0
 */
export interface Difference {
  /** `added`: the API has it and core does not; `removed`: core has it and the API does not. */
  readonly change: "added" | "removed" | "changed"
  readonly field: string
  /** What differs, e.g. `type: string (API) vs number (core)`; never a value. */
  readonly detail: string
}

/**
 * The outcome of a comparison: the differences, and notes on what could not be compared.
 *
 * @since 0.1.0
 */
export interface Comparison {
  readonly differences: ReadonlyArray<Difference>
  readonly notes: ReadonlyArray<string>
}

const VALUE_NUMBERS = new Set([
  "byte",
  "sbyte",
  "int16",
  "int32",
  "int64",
  "uint16",
  "uint32",
  "uint64",
  "single",
  "double",
  "decimal"
])
const VALUE_STRINGS = new Set([
  "string",
  "guid",
  "datetime",
  "datetimeoffset",
  "dateonly",
  "timeonly",
  "timespan",
  "char"
])

const stripArity = (type: string) => type.replace(/`\d+$/, "")

/**
 * The deepest nesting of a type name read: `List<List<String>>` is 2 deep, `String[][]` too, and a
 * generic argument adds the level of its generic type. A served document nesting deeper is refused
 * by {@link read}; {@link jsonType} stops there.
 *
 * @since 0.1.0
 */
export const MAX_TYPE_DEPTH = 32

/**
 * How deep a type reference nests, at most: the most `<` open at once in its name plus each `[]`
 * in it, and one more than its deepest generic argument. Counted in one pass, whatever the length.
 *
 * @since 0.1.0
 */
export const typeDepth = (type: string, genericArgs: ReadonlyArray<string> = []): number => {
  const depthOf = (name: string) => {
    let open = 0
    let deepest = 0
    let arrays = 0
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i)
      if (c === 60) deepest = Math.max(deepest, ++open)
      else if (c === 62 && open > 0) open--
      else if (c === 91 && name.charCodeAt(i + 1) === 93) arrays++
    }
    return deepest + arrays
  }
  let args = 0
  for (const arg of genericArgs) args = Math.max(args, 1 + depthOf(arg))
  return Math.max(depthOf(type), args)
}

/** The generic types read as a list on the wire. */
const LISTS = new Set(["list", "ienumerable", "icollection", "ilist", "hashset"])

/**
 * The JSON shape of a metadata type reference: `string`, `number`, `boolean`, `array<…>`,
 * `object<Name>`. Read in a loop, never by recursion: past {@link MAX_TYPE_DEPTH} levels the shape
 * ends in `(nested deeper than 32 levels)`.
 *
 * @since 0.1.0
 */
export const jsonType = (type: string, genericArgs: ReadonlyArray<string> = []): string => {
  let current = type.trim()
  let args: ReadonlyArray<string> = genericArgs
  let arrays = 0
  for (let level = 0; ; level++) {
    if (level > MAX_TYPE_DEPTH) {
      return `${"array<".repeat(arrays)}(nested deeper than ${MAX_TYPE_DEPTH} levels)${">".repeat(arrays)}`
    }
    if (current.endsWith("[]")) {
      arrays++
      current = current.slice(0, -2).trim()
      args = []
      continue
    }
    const open = current.indexOf("<")
    if (open > 0 && current.endsWith(">")) {
      args = [current.slice(open + 1, -1)]
      current = current.slice(0, open).trim()
      continue
    }
    const base = stripArity(current).toLowerCase()
    const arg = args[0]
    if (arg !== undefined && (base === "nullable" || LISTS.has(base))) {
      if (base !== "nullable") arrays++
      current = arg.trim()
      args = []
      continue
    }
    const shape = VALUE_STRINGS.has(base)
      ? "string"
      : VALUE_NUMBERS.has(base)
        ? "number"
        : base === "boolean" || base === "bool"
          ? "boolean"
          : `object<${stripArity(current)}>`
    return `${"array<".repeat(arrays)}${shape}${">".repeat(arrays)}`
  }
}

/** The name of the DTO a property refers to (its list item or its own type), if any. */
const referencedType = (p: MetadataProperty): string | undefined => {
  const shape = jsonType(p.type, p.genericArgs ?? [])
  const match = /object<([^>]+)>/.exec(shape)
  return match?.[1]
}

const requiredOf = (p: MetadataProperty): boolean =>
  p.isRequired === true || p.dataMember?.isRequired === true

interface Index {
  readonly types: ReadonlyMap<string, MetadataType>
}

const indexOf = (doc: MetadataTypes): Index => {
  const types = new Map<string, MetadataType>()
  for (const type of doc.types ?? []) types.set(type.name, type)
  for (const op of doc.operations) {
    types.set(op.request.name, op.request)
    if (op.response !== undefined) types.set(op.response.name, op.response)
  }
  return { types }
}

/** A type's properties including those of its base types, by camelCase name. */
const allProperties = (index: Index, type: MetadataType): Map<string, MetadataProperty> => {
  const out = new Map<string, MetadataProperty>()
  const seen = new Set<string>()
  let current: MetadataType | undefined = type
  while (current !== undefined && !seen.has(current.name)) {
    seen.add(current.name)
    for (const p of current.properties ?? []) if (!out.has(camel(p.name))) out.set(camel(p.name), p)
    current = current.inherits !== undefined ? index.types.get(current.inherits.name) : undefined
  }
  return out
}

const compareProperties = (
  scope: string,
  api: { readonly index: Index; readonly props: Map<string, MetadataProperty> },
  core: { readonly index: Index; readonly props: Map<string, MetadataProperty> },
  out: Array<Difference>,
  notes: Array<string>,
  depth = 0
) => {
  const apiMarksRequired = [...api.props.values()].some(requiredOf)
  if (!apiMarksRequired && [...core.props.values()].some(requiredOf)) {
    notes.push(`${scope}: the API's metadata marks no property required; required flags not compared`)
  }
  for (const name of api.props.keys()) {
    if (!core.props.has(name))
      out.push({ change: "added", field: `${scope}.${name}`, detail: "in the API, not in core" })
  }
  for (const [name, coreProp] of core.props) {
    const apiProp = api.props.get(name)
    const field = `${scope}.${name}`
    if (apiProp === undefined) {
      out.push({ change: "removed", field, detail: "in core, not in the API" })
      continue
    }
    const apiShape = jsonType(apiProp.type, apiProp.genericArgs ?? []).replace(/object<[^>]+>/, "object")
    const coreShape = jsonType(coreProp.type, coreProp.genericArgs ?? []).replace(/object<[^>]+>/, "object")
    if (apiShape !== coreShape) {
      out.push({ change: "changed", field, detail: `type: ${apiShape} (API) vs ${coreShape} (core)` })
      continue
    }
    if (apiMarksRequired && requiredOf(apiProp) !== requiredOf(coreProp)) {
      out.push({
        change: "changed",
        field,
        detail: `required: ${requiredOf(apiProp) ? "yes" : "no"} (API) vs ${requiredOf(coreProp) ? "yes" : "no"} (core)`
      })
    }
    const apiRef = referencedType(apiProp)
    const coreRef = referencedType(coreProp)
    if (apiRef !== undefined && coreRef !== undefined && depth < 4) {
      const apiType = api.index.types.get(apiRef)
      const coreType = core.index.types.get(coreRef)
      if (apiType === undefined) {
        notes.push(`${field}: the API's metadata does not describe its type ${apiRef}`)
      } else if (coreType !== undefined) {
        const nested = apiShape.startsWith("array<") ? `${field}[]` : field
        compareProperties(
          nested,
          { index: api.index, props: allProperties(api.index, apiType) },
          { index: core.index, props: allProperties(core.index, coreType) },
          out,
          notes,
          depth + 1
        )
      }
    }
  }
}

const normalizePath = (path: string) => path.trim().replace(/\/+$/, "").toLowerCase()
const verbsOf = (route: MetadataRoute, op: MetadataOperation): ReadonlyArray<string> => {
  const verbs = route.verbs?.trim()
  if (verbs)
    return verbs
      .split(",")
      .map((v) => v.trim().toUpperCase())
      .filter((v) => v !== "")
  return (op.actions ?? []).map((a) => a.toUpperCase()).filter((a) => a !== "ANY")
}

const compareRoutes = (
  name: string,
  api: MetadataOperation,
  core: MetadataOperation,
  out: Array<Difference>
) => {
  for (const expected of core.routes ?? []) {
    const path = normalizePath(expected.path)
    const verb = verbsOf(expected, core)[0] ?? "GET"
    const same = (api.routes ?? []).filter((r) => normalizePath(r.path) === path)
    if (same.length === 0) {
      const served = (api.routes ?? []).map((r) => `${verbsOf(r, api).join(",") || "ANY"} ${r.path}`)
      out.push({
        change: "changed",
        field: `${name}.route`,
        detail: `${verb} ${expected.path} (core) is not a route of the API${served.length > 0 ? `; it has ${served.join("; ")}` : ""}`
      })
      continue
    }
    const verbs = same.flatMap((r) => verbsOf(r, api))
    if (verbs.length > 0 && !verbs.includes(verb)) {
      out.push({
        change: "changed",
        field: `${name}.verb`,
        detail: `${expected.path}: ${verbs.join(",")} (API) vs ${verb} (core)`
      })
    }
  }
}

/** The type an operation answers: its response type, else its return type by name. */
const responseOf = (index: Index, op: MetadataOperation): MetadataType | undefined =>
  op.response ?? (op.returnType !== undefined ? index.types.get(op.returnType.name) : undefined)

/**
 * Compares a served document with core's ({@link document}): for each export operation and each
 * task operation, the route and verb, then the request's properties (with inherited ones) and their
 * nested item types, and the task's properties. An operation missing from the API is one `removed`
 * difference.
 *
 * @since 0.1.0
 */
export const compare = (api: MetadataTypes, core: MetadataTypes = document()): Comparison => {
  const out: Array<Difference> = []
  const notes: Array<string> = []
  const apiIndex = indexOf(api)
  const coreIndex = indexOf(core)
  for (const coreOp of core.operations) {
    const name = coreOp.request.name
    const apiOp = api.operations.find((op) => op.request.name === name)
    if (apiOp === undefined) {
      out.push({ change: "removed", field: name, detail: "the operation is not in the API's metadata" })
      continue
    }
    compareRoutes(name, apiOp, coreOp, out)
    compareProperties(
      name,
      { index: apiIndex, props: allProperties(apiIndex, apiOp.request) },
      { index: coreIndex, props: allProperties(coreIndex, coreOp.request) },
      out,
      notes
    )
    const coreResponse = responseOf(coreIndex, coreOp)
    if (coreResponse === undefined || coreOp.request.name === "GetTask") continue
    const apiResponse = responseOf(apiIndex, apiOp)
    if (apiResponse === undefined) {
      notes.push(`${name}: the API's metadata does not describe its response`)
      continue
    }
    compareProperties(
      coreResponse.name,
      { index: apiIndex, props: allProperties(apiIndex, apiResponse) },
      { index: coreIndex, props: allProperties(coreIndex, coreResponse) },
      out,
      notes
    )
  }
  return { differences: out, notes }
}

/**
 * Why a served document was not read: not JSON, not a `MetadataTypes` document, or a type name
 * nested deeper than {@link MAX_TYPE_DEPTH} levels. The message names no value of the document.
 *
 * @since 0.1.0
 */
export class UnreadableMetadata extends Data.TaggedError("UnreadableMetadata")<{
  readonly reason: "not-json" | "not-metadata" | "too-deep"
  readonly message: string
}> {}

const decodeDocument = Schema.decodeUnknownEither(MetadataTypes)

/** The deepest type reference of a document's types and operations. */
const deepestType = (doc: MetadataTypes): number => {
  let deepest = 0
  const ref = (type: string, genericArgs?: ReadonlyArray<string>) => {
    deepest = Math.max(deepest, typeDepth(type, genericArgs))
  }
  const visit = (type: MetadataType) => {
    ref(type.name)
    if (type.inherits !== undefined) ref(type.inherits.name, type.inherits.genericArgs)
    for (const p of type.properties ?? []) ref(p.type, p.genericArgs)
  }
  for (const type of doc.types ?? []) visit(type)
  for (const op of doc.operations) {
    visit(op.request)
    if (op.response !== undefined) visit(op.response)
    if (op.returnType !== undefined) ref(op.returnType.name, op.returnType.genericArgs)
  }
  return deepest
}

/**
 * Reads a `MetadataTypes` document from JSON text, refusing one that is not JSON, not such a
 * document, or that nests a type name deeper than {@link MAX_TYPE_DEPTH} levels (counted in one
 * pass over each name, so that no depth overflows the stack).
 *
 * @since 0.1.0
 */
export const read = (text: string): Either.Either<MetadataTypes, UnreadableMetadata> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(new UnreadableMetadata({ reason: "not-json", message: "The answer is not JSON" }))
  }
  const doc = decodeDocument(json)
  if (Either.isLeft(doc)) {
    return Either.left(
      new UnreadableMetadata({
        reason: "not-metadata",
        message: "The answer is not a ServiceStack MetadataTypes document"
      })
    )
  }
  if (deepestType(doc.right) > MAX_TYPE_DEPTH) {
    return Either.left(
      new UnreadableMetadata({
        reason: "too-deep",
        message: `The document nests a type name deeper than ${MAX_TYPE_DEPTH} levels: refused unread`
      })
    )
  }
  return Either.right(doc.right)
}

/**
 * Reads a `MetadataTypes` document from JSON text; `undefined` when {@link read} refuses it.
 *
 * @since 0.1.0
 */
export const decode = (text: string): MetadataTypes | undefined => Either.getOrUndefined(read(text))
