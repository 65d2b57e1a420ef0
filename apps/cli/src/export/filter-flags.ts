/**
 * The `export` command's filter flags, derived from core's field metadata: one flag per wire field,
 * named after it in kebab-case (list fields take the singular and repeat), plus the compact syntax of
 * the nested filters (`--interest Watches=CA-1`, `--product-category grand=JEW,category=RNG-GLD`).
 */
import { ExportKind, type Field } from "@booster-export/core"

/** How a flag's text turns into the wire value of its field. */
export type FlagKind = "text" | "number" | "integer" | "boolean" | "record"

/** One derived flag. */
export interface FilterFlag {
  /** Wire field, e.g. `posCodes`. */
  readonly wire: string
  /** Flag name without dashes, e.g. `pos-code`. */
  readonly flag: string
  /** True when the flag repeats (a list field). */
  readonly repeated: boolean
  readonly kind: FlagKind
  /** Record members, for nested filters. */
  readonly members: ReadonlyArray<string>
  readonly field: Field.AnyField
}

/** `posCodes` → `pos-codes`; an acronym stays one word: `includeRSP` → `include-rsp`. */
const kebab = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()

const singular = (name: string): string => {
  if (name.endsWith("ies")) return `${name.slice(0, -3)}y`
  if (name.endsWith("us") || !name.endsWith("s")) return name
  return name.slice(0, -1)
}

const scalarKind = (kind: Field.FieldKind): FlagKind => {
  switch (kind._tag) {
    case "Number":
      return "number"
    case "Integer":
      return "integer"
    case "Boolean":
      return "boolean"
    case "Record":
      return "record"
    case "List":
      return scalarKind(kind.item)
    default:
      return "text"
  }
}

/** Short member names accepted in the compact syntax, per nested field (wire member → aliases). */
export const MEMBER_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  interests: { label: "interest", id: "sapInterestId", "sap-interest-id": "sapInterestId" },
  hobbies: { label: "hobby", id: "sapHobbyId", "sap-hobby-id": "sapHobbyId" },
  productCollections: {
    label: "productCollection",
    name: "productCollection",
    collection: "productCollection",
    "product-collection": "productCollection",
    id: "sapProductCollectionId",
    "sap-product-collection-id": "sapProductCollectionId"
  },
  productCategories: {
    grand: "grandCategoryId",
    brand: "brandCategoryId",
    master: "masterCategoryId",
    category: "categoryId",
    sub: "subCategoryId",
    "grand-category-id": "grandCategoryId",
    "brand-category-id": "brandCategoryId",
    "master-category-id": "masterCategoryId",
    "category-id": "categoryId",
    "sub-category-id": "subCategoryId"
  }
}

/** The `LABEL=ID` shorthand of two-member nested fields: [label member, id member]. */
export const SHORTHAND: Readonly<Record<string, readonly [string, string]>> = {
  interests: ["interest", "sapInterestId"],
  hobbies: ["hobby", "sapHobbyId"],
  productCollections: ["productCollection", "sapProductCollectionId"]
}

/** Short aliases of some filter flags (wire field → alias), e.g. `--location-country`. */
export const EXTRA_ALIASES: Readonly<Record<string, string>> = { locationCountryIds: "location-country" }

const derive = (kind: ExportKind.Any): ReadonlyArray<FilterFlag> =>
  Object.entries(kind.filter.fields as Readonly<Record<string, Field.AnyField>>).map(([wire, field]) => {
    const repeated = field.kind._tag === "List"
    const item = field.kind._tag === "List" ? field.kind.item : field.kind
    return {
      wire,
      flag: kebab(repeated ? singular(wire) : wire),
      repeated,
      kind: scalarKind(field.kind),
      members: item._tag === "Record" ? item.members : [],
      field
    }
  })

const byKind = new Map<string, ReadonlyArray<FilterFlag>>()

/** Every filter flag of an export kind, in the documentation order of its fields (derived once). */
export const flagsOf = (kind: ExportKind.Any): ReadonlyArray<FilterFlag> => {
  let flags = byKind.get(kind.name)
  if (flags === undefined) {
    flags = derive(kind)
    byKind.set(kind.name, flags)
  }
  return flags
}

/** Every filter flag of the customer export, in the documentation order of the fields. */
export const filterFlags: ReadonlyArray<FilterFlag> = flagsOf(ExportKind.Customer)

/** The flag of a wire field of `kind` (default customers). */
export const flagOf = (wire: string, kind: ExportKind.Any = ExportKind.Customer): FilterFlag | undefined =>
  flagsOf(kind).find((f) => f.wire === wire)

const syntaxOf = (flag: FilterFlag): string => {
  const shorthand = SHORTHAND[flag.wire]
  const aliases = MEMBER_ALIASES[flag.wire] ?? {}
  const short = Object.entries(aliases)
    .filter(([alias]) => !alias.includes("-"))
    .map(([alias, member]) => `${alias}=${member}`)
    .join(", ")
  return shorthand
    ? `Write LABEL=ID (${shorthand[0]}=${shorthand[1]}) or key=value pairs separated by commas (${short}).`
    : `Write key=value pairs separated by commas (${short}).`
}

const exampleOf = (flag: FilterFlag): string | undefined => {
  const examples = flag.field.doc.examples
  if (examples === undefined || examples.length === 0 || flag.field.doc.personal) return undefined
  const first = examples[0]
  const value = Array.isArray(first) ? first[0] : first
  if (value === undefined) return undefined
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>
    const shorthand = SHORTHAND[flag.wire]
    if (shorthand && record[shorthand[0]] !== undefined && record[shorthand[1]] !== undefined) {
      return `${record[shorthand[0]]}=${record[shorthand[1]]}`
    }
    const aliases = Object.entries(MEMBER_ALIASES[flag.wire] ?? {}).filter(([a]) => !a.includes("-"))
    return Object.entries(record)
      .map(([member, v]) => `${aliases.find(([, m]) => m === member)?.[0] ?? member}=${String(v)}`)
      .join(",")
  }
  return String(value)
}

/** The help text of a flag: the field's description, its wire name, syntax and an example. */
export const helpOf = (flag: FilterFlag): string => {
  const parts = [flag.field.doc.description]
  if (flag.kind === "record") parts.push(syntaxOf(flag))
  if (flag.kind === "boolean") parts.push("Write true or false.")
  if (flag.field.doc.personal) {
    parts.push("Personal: give @FILE (read from a file) or - (stdin) to keep it out of the process list.")
  }
  parts.push(
    `Wire field: ${flag.wire}${
      !flag.repeated
        ? ""
        : flag.kind === "record"
          ? "; several values: repeat the flag, or separate them with commas (write \\, for a comma inside a value)"
          : "; several values: separate them with commas or repeat the flag (write \\, for a comma inside a value)"
    }.`
  )
  const example = exampleOf(flag)
  if (example !== undefined)
    parts.push(`Example: --${flag.flag} ${/[\s,]/.test(example) ? `"${example}"` : example}`)
  return parts.join(" ")
}

/** The placeholder of a flag's value in usage lines, e.g. `--pos-code POS_CODE`, `--creation-date-from YYYY-MM-DD`. */
export const placeholderOf = (flag: FilterFlag): string => {
  switch (flag.kind) {
    case "number":
      return "AMOUNT"
    case "integer":
      return "NUMBER"
    case "boolean":
      return "true|false"
    case "record":
      return SHORTHAND[flag.wire] ? "LABEL=ID" : "KEY=VALUE,…"
    default:
      return flag.field.kind._tag === "Date" ||
        (flag.field.kind._tag === "List" && flag.field.kind.item._tag === "Date")
        ? "YYYY-MM-DD"
        : flag.flag.replace(/-/g, "_").toUpperCase()
  }
}
