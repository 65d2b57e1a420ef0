/**
 * Synthetic customers: deterministic from a seed and an index, so customer `i` of a million can be
 * generated on its own (random access, nothing held in memory). Every attribute the export filter
 * selects on is present: brand, POS code, country, spending, creation and last transaction dates,
 * consent, birth month, interests, hobbies, product collections and categories, status, Booster id,
 * SAP CRM id and error flag, sales representative, names, email and phone.
 *
 * The values are invented; they still look like personal data and are treated as such.
 *
 * @since 0.1.0
 */
import { hash2, Prng } from "./internal/prng.js"

/**
 * An interest as customers carry it.
 *
 * @since 0.1.0
 */
export interface Interest {
  readonly interest: string
  readonly sapInterestId: string
}

/**
 * A hobby as customers carry it.
 *
 * @since 0.1.0
 */
export interface Hobby {
  readonly hobby: string
  readonly sapHobbyId: string
}

/**
 * A product collection as customers carry it.
 *
 * @since 0.1.0
 */
export interface ProductCollection {
  readonly productCollection: string
  readonly sapProductCollectionId: string
}

/**
 * A product category (every level known) as customers carry it.
 *
 * @since 0.1.0
 */
export interface ProductCategory {
  readonly brandCategoryId: string
  readonly grandCategoryId: string
  readonly masterCategoryId: string
  readonly categoryId: string
  readonly subCategoryId: string
}

/**
 * One synthetic customer.
 *
 * @since 0.1.0
 */
export interface Customer {
  /** `1_000_001 + index`: unique. */
  readonly boosterCustomerId: number
  /** Ten digits, unique within a data set. */
  readonly sapCrmId: string
  /** Brand trigram, upper case (one of {@link brands}). */
  readonly brand: string
  /** POS legacy code, e.g. `IT200` (one of {@link posCodes}). */
  readonly posCode: string
  readonly firstName: string
  readonly lastName: string
  /** Lower case, unique. */
  readonly email: string
  /** E.164, e.g. `+39612345678`. */
  readonly phoneNumber: string
  /** The phone number without its country prefix, e.g. `612345678`. */
  readonly phoneNational: string
  /** Lower-case two-letter country id (one of {@link countries}). */
  readonly locationCountryId: string
  /** One of {@link statuses}. */
  readonly customerStatus: string
  /** Total spending, two decimals; 0 for prospects. */
  readonly clientSpending: number
  /** `YYYY-MM-DD`, 2015-01-01 .. 2024-12-31. */
  readonly creationDate: string
  /** `YYYY-MM-DD` on or after the creation date; absent for prospects. */
  readonly lastTransactionDate: string | undefined
  /** `YYYY-MM-DD`. */
  readonly birthDate: string
  /** 1 = January … 12 = December. */
  readonly birthMonth: number
  readonly canBeContactedByMaison: boolean
  readonly hasSapCrmError: boolean
  /** Lower case. */
  readonly saleRepresentativeEmail: string
  readonly interests: ReadonlyArray<Interest>
  readonly hobbies: ReadonlyArray<Hobby>
  readonly productCollections: ReadonlyArray<ProductCollection>
  readonly productCategories: ReadonlyArray<ProductCategory>
}

/**
 * Brand trigrams customers belong to.
 *
 * @since 0.1.0
 */
export const brands: ReadonlyArray<string> = ["CAR", "IWC", "JLC", "VCA", "PIA", "MTB"]

/**
 * Countries (lower-case ids) with their phone prefixes.
 *
 * @since 0.1.0
 */
export const countries: ReadonlyArray<{ readonly id: string; readonly dial: string }> = [
  { id: "it", dial: "39" },
  { id: "fr", dial: "33" },
  { id: "es", dial: "34" },
  { id: "de", dial: "49" },
  { id: "gb", dial: "44" },
  { id: "us", dial: "1" },
  { id: "ch", dial: "41" },
  { id: "jp", dial: "81" },
  { id: "cn", dial: "86" },
  { id: "ae", dial: "971" }
]

const POS_SUFFIXES = ["100", "200", "300"]

/**
 * Every POS code: three per country (`IT100`, `IT200`, `IT300`, …); a customer's POS is in their
 * country.
 *
 * @since 0.1.0
 */
export const posCodes: ReadonlyArray<string> = countries.flatMap((country) =>
  POS_SUFFIXES.map((suffix) => `${country.id.toUpperCase()}${suffix}`)
)

/**
 * Customer statuses, in decreasing frequency: Client, Prospect, VIC, Inactive.
 *
 * @since 0.1.0
 */
export const statuses: ReadonlyArray<string> = ["Client", "Prospect", "VIC", "Inactive"]

/**
 * Interests customers may have.
 *
 * @since 0.1.0
 */
export const interests: ReadonlyArray<Interest> = [
  { interest: "Watches", sapInterestId: "CA-1" },
  { interest: "Jewellery", sapInterestId: "CA-2" },
  { interest: "Fine dining, wine", sapInterestId: "CA-3" },
  { interest: "Leather goods", sapInterestId: "CA-4" },
  { interest: "Fragrances", sapInterestId: "CA-5" },
  { interest: "Writing instruments", sapInterestId: "CA-6" },
  { interest: "Eyewear", sapInterestId: "CA-7" },
  { interest: 'The "art de vivre"', sapInterestId: "CA-8" }
]

/**
 * Hobbies customers may have.
 *
 * @since 0.1.0
 */
export const hobbies: ReadonlyArray<Hobby> = [
  { hobby: "Art", sapHobbyId: "ART" },
  { hobby: "Golf", sapHobbyId: "GLF" },
  { hobby: "Sailing", sapHobbyId: "SAIL" },
  { hobby: "Equestrian", sapHobbyId: "EQU" },
  { hobby: "Opera", sapHobbyId: "OPR" },
  { hobby: "Travel", sapHobbyId: "TRV" },
  { hobby: "Motorsport", sapHobbyId: "MOT" }
]

/**
 * Product collections customers may have bought from.
 *
 * @since 0.1.0
 */
export const productCollections: ReadonlyArray<ProductCollection> = [
  { productCollection: "Panthère", sapProductCollectionId: "PAN" },
  { productCollection: "Love", sapProductCollectionId: "LOV" },
  { productCollection: "Juste un Clou", sapProductCollectionId: "JUC" },
  { productCollection: "Santos", sapProductCollectionId: "SAN" },
  { productCollection: "Tank", sapProductCollectionId: "TNK" },
  { productCollection: "Portugieser", sapProductCollectionId: "POR" },
  { productCollection: "Reverso", sapProductCollectionId: "REV" },
  { productCollection: "Alhambra", sapProductCollectionId: "ALH" },
  { productCollection: "Possession", sapProductCollectionId: "PSS" },
  { productCollection: "Meisterstück", sapProductCollectionId: "MST" }
]

const CATEGORY_TREE: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["JEW", ["RNG", "NCK", "BRC"]],
  ["WAT", ["MEN", "LAD"]],
  ["ACC", ["LTH", "PEN"]]
]

/**
 * Product categories (without the brand level, which is `<brand>-<grandCategoryId>`): grand
 * categories JEW, WAT, ACC; master categories under them; categories `<master>-GLD|SLV`;
 * sub-categories `<category>-01|02`.
 *
 * @since 0.1.0
 */
export const productCategories: ReadonlyArray<Omit<ProductCategory, "brandCategoryId">> =
  CATEGORY_TREE.flatMap(([grand, masters]) =>
    masters.flatMap((master) =>
      ["GLD", "SLV"].flatMap((metal) =>
        ["01", "02"].map((sub) => ({
          grandCategoryId: grand,
          masterCategoryId: master,
          categoryId: `${master}-${metal}`,
          subCategoryId: `${master}-${metal}-${sub}`
        }))
      )
    )
  )

const FIRST_NAMES = [
  "Léa",
  "Chloé",
  "José",
  "François",
  "Zoë",
  "Søren",
  "Ángel",
  "Mia",
  "Luca",
  "Giulia",
  "Hiroshi",
  "Yuki",
  "Wei",
  "Fatima",
  "Oliver",
  "Emma",
  "Noah",
  "Sofia",
  "Liam",
  "Amélie"
]

const LAST_NAMES = [
  "Rossi",
  "Dubois",
  "García",
  "Müller",
  "Smith",
  "O'Brien",
  "Núñez",
  "Tanaka",
  "Wang",
  "Al Mansouri",
  "Lefèvre",
  "de la Cruz",
  "Schmidt",
  "Bianchi",
  "Martin",
  "Johnson",
  "Sato",
  "Li",
  "Ferreira",
  "Van Dijk"
]

const DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "post.example"]

const slug = (name: string): string =>
  name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")

const FIRST_SLUGS = FIRST_NAMES.map(slug)
const LAST_SLUGS = LAST_NAMES.map(slug)

const DAY_MS = 86_400_000
const EPOCH_2015 = Date.UTC(2015, 0, 1)
const CREATION_DAYS = Math.round((Date.UTC(2024, 11, 31) - EPOCH_2015) / DAY_MS) + 1
const LAST_DAY = Math.round((Date.UTC(2025, 5, 30) - EPOCH_2015) / DAY_MS)
const DAY_TEXT: ReadonlyArray<string> = Array.from({ length: LAST_DAY + 1 }, (_, day) =>
  new Date(EPOCH_2015 + day * DAY_MS).toISOString().slice(0, 10)
)

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/**
 * Customer number `index` (0-based) of the data set generated from `seed`, its brand drawn from
 * `brandList` (default {@link brands}). Pure: the same arguments always give the same customer.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  brandList: ReadonlyArray<string> = brands
): Customer => {
  const rng = new Prng(hash2(seed, index))
  const brand = rng.pick(brandList)
  const countryIndex = rng.int(countries.length)
  const country = countries[countryIndex]!
  const posCode = posCodes[countryIndex * POS_SUFFIXES.length + rng.int(POS_SUFFIXES.length)]!
  const first = rng.int(FIRST_NAMES.length)
  const last = rng.int(LAST_NAMES.length)
  const email = `${FIRST_SLUGS[first]}.${LAST_SLUGS[last]}.${index}@${rng.pick(DOMAINS)}`
  const phoneNational = String(rng.between(200_000_000, 999_999_999))
  const roll = rng.next()
  const customerStatus = roll < 0.45 ? "Client" : roll < 0.8 ? "Prospect" : roll < 0.9 ? "VIC" : "Inactive"
  const prospect = customerStatus === "Prospect"
  const spendingRoll = rng.next()
  const clientSpending = prospect
    ? 0
    : Math.round(spendingRoll * spendingRoll * spendingRoll * 100_000 * 100) / 100
  const creationDay = rng.int(CREATION_DAYS)
  const transactionDay = creationDay + rng.int(LAST_DAY - creationDay + 1)
  const birthYear = rng.between(1940, 2005)
  const birthMonth = rng.between(1, 12)
  const birthDay = rng.between(1, 28)
  const canBeContactedByMaison = rng.chance(0.6)
  const hasSapCrmError = rng.chance(0.05)
  const rep = rng.between(1, 8)
  const customerInterests = rng.some(interests, 3)
  const customerHobbies = rng.some(hobbies, 2)
  const collections = rng.some(productCollections, 3)
  const categories = prospect
    ? []
    : rng.some(productCategories, 2).map((category) => ({
        brandCategoryId: `${brand}-${category.grandCategoryId}`,
        ...category
      }))
  return {
    boosterCustomerId: 1_000_001 + index,
    sapCrmId: `0${100_000_000 + ((index * 7919 + (seed >>> 0) * 104_729) % 900_000_000)}`,
    brand,
    posCode,
    firstName: FIRST_NAMES[first]!,
    lastName: LAST_NAMES[last]!,
    email,
    phoneNumber: `+${country.dial}${phoneNational}`,
    phoneNational,
    locationCountryId: country.id,
    customerStatus,
    clientSpending,
    creationDate: DAY_TEXT[creationDay]!,
    lastTransactionDate: prospect ? undefined : DAY_TEXT[transactionDay]!,
    birthDate: `${birthYear}-${pad2(birthMonth)}-${pad2(birthDay)}`,
    birthMonth,
    canBeContactedByMaison,
    hasSapCrmError,
    saleRepresentativeEmail: `rep${rep}.${brand.toLowerCase()}@maison.example`,
    interests: customerInterests,
    hobbies: customerHobbies,
    productCollections: collections,
    productCategories: categories
  }
}
