/**
 * The synthetic catalogue the non-customer exports share: points of sale (with a city, a stock
 * cluster, a currency and whether they may hold consignment stock), articles (each in one product
 * category, with a retail price) and dates. Everything is a pure function of its arguments.
 */
import * as Customers from "../Customers.js"
import type { Prng } from "./prng.js"

/** A point of sale as the stock, movement, sell-out, invoice and order rows see it. */
export interface PointOfSale {
  readonly posCode: string
  readonly posName: string
  readonly countryId: string
  /** Stock cluster: `EU-SOUTH`, `EU-NORTH`, `AMERICAS`, `ASIA` or `MIDDLE-EAST`. */
  readonly clusterId: string
  readonly currencyCode: string
  /** False for every `…300` POS: they may not hold consignment stock. */
  readonly consignmentAuthorized: boolean
}

const CITIES: Readonly<Record<string, readonly [string, string, string]>> = {
  it: ["Milano", "Roma", "Venezia"],
  fr: ["Paris", "Cannes", "Lyon"],
  es: ["Madrid", "Barcelona", "Marbella"],
  de: ["München", "Berlin", "Düsseldorf"],
  gb: ["London", "Edinburgh", "Manchester"],
  us: ["New York", "Beverly Hills", "Miami"],
  ch: ["Genève", "Zürich", "Gstaad"],
  jp: ["Tokyo Ginza", "Osaka", "Kyoto"],
  cn: ["Shanghai", "Beijing", "Shenzhen"],
  ae: ["Dubai Mall", "Abu Dhabi", "Sharjah"]
}

const CLUSTERS: Readonly<Record<string, string>> = {
  it: "EU-SOUTH",
  fr: "EU-SOUTH",
  es: "EU-SOUTH",
  de: "EU-NORTH",
  gb: "EU-NORTH",
  ch: "EU-NORTH",
  us: "AMERICAS",
  jp: "ASIA",
  cn: "ASIA",
  ae: "MIDDLE-EAST"
}

const CURRENCIES: Readonly<Record<string, string>> = {
  it: "EUR",
  fr: "EUR",
  es: "EUR",
  de: "EUR",
  gb: "GBP",
  ch: "CHF",
  us: "USD",
  jp: "JPY",
  cn: "CNY",
  ae: "AED"
}

/** Every point of sale, in the order of `Customers.posCodes`. */
export const pointsOfSale: ReadonlyArray<PointOfSale> = Customers.posCodes.map((posCode, index) => {
  const countryId = posCode.slice(0, 2).toLowerCase()
  return {
    posCode,
    posName: `${CITIES[countryId]?.[index % 3] ?? posCode} boutique`,
    countryId,
    clusterId: CLUSTERS[countryId] ?? "OTHER",
    currencyCode: CURRENCIES[countryId] ?? "EUR",
    consignmentAuthorized: !posCode.endsWith("300")
  }
})

/** The points of sale by code. */
export const posByCode: ReadonlyMap<string, PointOfSale> = new Map(
  pointsOfSale.map((pos) => [pos.posCode, pos])
)

/** The stock clusters, for documentation and tests. */
export const clusterIds: ReadonlyArray<string> = [...new Set(pointsOfSale.map((pos) => pos.clusterId))]

/** An article: its code, its product category (without the brand level) and its retail price. */
export interface Article {
  readonly articleCode: string
  readonly category: Omit<Customers.ProductCategory, "brandCategoryId">
  /** Retail price in the POS's currency units, two decimals. */
  readonly retailPrice: number
}

const PRICE_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  JEW: [1_500, 45_000],
  WAT: [4_000, 60_000],
  ACC: [250, 3_500]
}

/** Two articles per product sub-category: `RNGGLD01A`, `RNGGLD01B`, …. */
export const articles: ReadonlyArray<Article> = Customers.productCategories.flatMap((category, index) =>
  ["A", "B"].map((letter, half) => {
    const [low, high] = PRICE_RANGE[category.grandCategoryId] ?? [100, 1_000]
    const step = ((index * 2 + half) * 7919) % 97
    return {
      articleCode: `${category.subCategoryId.replace(/-/g, "")}${letter}`,
      category,
      retailPrice: Math.round((low + ((high - low) * step) / 96) * 100) / 100
    }
  })
)

/** The product category of an article for a brand: the brand level is `<brand>-<grandCategoryId>`. */
export const categoryOf = (article: Article, brand: string): Customers.ProductCategory => ({
  brandCategoryId: `${brand}-${article.category.grandCategoryId}`,
  ...article.category
})

const DAY_MS = 86_400_000

/** The `YYYY-MM-DD` date `day` days after `from` (a `YYYY-MM-DD` date). */
export const dayAfter = (from: string, day: number): string =>
  new Date(Date.parse(`${from}T00:00:00Z`) + day * DAY_MS).toISOString().slice(0, 10)

/** The number of days from `from` to `to`, both `YYYY-MM-DD`. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

/** A product category filter item matches a category when every id it gives matches (any case). */
export const categoryMatcher = (
  items: ReadonlyArray<Partial<Customers.ProductCategory>> | undefined
): ((category: Customers.ProductCategory) => boolean) | undefined => {
  if (items === undefined) return undefined
  const levels = [
    "brandCategoryId",
    "grandCategoryId",
    "masterCategoryId",
    "categoryId",
    "subCategoryId"
  ] as const
  const wanted = items.map((item) =>
    levels.flatMap((level) => {
      const value = item[level]
      return value === undefined ? [] : [[level, value.toUpperCase()] as const]
    })
  )
  return (category) =>
    wanted.some((pairs) => pairs.every(([level, value]) => category[level].toUpperCase() === value))
}

/** A case-insensitive "any of" test over text values; `undefined` when the filter gives none. */
export const anyOf = (
  values: ReadonlyArray<string> | undefined
): ((value: string) => boolean) | undefined => {
  if (values === undefined) return undefined
  const set = new Set(values.map((v) => v.toUpperCase()))
  return (value) => set.has(value.toUpperCase())
}

/** What every row of the other exports has that a filter selects on. */
export interface CommonRow {
  readonly brand: string
  readonly posCode: string
  readonly productCategory?: Customers.ProductCategory
}

/** The filter fields most exports share. */
export interface CommonFilter {
  readonly brand: string
  readonly posCodes?: ReadonlyArray<string> | undefined
  readonly dateFrom?: string | undefined
  readonly dateTo?: string | undefined
  readonly productCategories?: ReadonlyArray<Partial<Customers.ProductCategory>> | undefined
}

/**
 * The test of the shared fields: the brand, the POS codes (any of; without them, `allowedPos` when
 * given, else every POS), the row's date (`dateOf`) within `dateFrom`..`dateTo` inclusive, and the
 * product categories.
 */
export const commonTest = <R extends CommonRow>(
  filter: CommonFilter,
  dateOf: (row: R) => string,
  allowedPos?: ReadonlySet<string>
): ((row: R) => boolean) => {
  const brand = filter.brand.toUpperCase()
  const pos = anyOf(filter.posCodes)
  const category = categoryMatcher(filter.productCategories)
  const { dateFrom, dateTo } = filter
  return (row) =>
    row.brand === brand &&
    (pos === undefined ? allowedPos === undefined || allowedPos.has(row.posCode) : pos(row.posCode)) &&
    (category === undefined || (row.productCategory !== undefined && category(row.productCategory))) &&
    (dateFrom === undefined || dateOf(row) >= dateFrom) &&
    (dateTo === undefined || dateOf(row) <= dateTo)
}

/** A seed for one kind's rows, so that two kinds with the same seed get unrelated data. */
export const kindSeed = (seed: number, salt: number): number => (seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0

const REFERENCE_WORDS = [
  "Rossi wedding gift",
  "Mr Tanaka, engraving",
  "Dubois anniversary",
  "VIP client Müller"
]

/** A customer reference on an order or invoice: `CR-` and six digits, or words naming a person. */
export const customerReference = (rng: Prng): string =>
  rng.chance(0.25) ? rng.pick(REFERENCE_WORDS) : `CR-${rng.between(100_000, 999_999)}`
