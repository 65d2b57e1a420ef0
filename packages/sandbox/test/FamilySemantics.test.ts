import type { ExportKind } from "@booster-export/core"
import { describe, expect, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import { Csv, Customers, Invoices, Movements, Orders, Sandbox, SellOuts, Stock } from "../src/index.js"
import { runExport } from "./support.js"

const SEED = 21
const CUSTOMERS = 600
const ROWS = 3000
const BRAND = "VCA"
const ALL_POS = [...Customers.posCodes]
const base = { brand: BRAND, posCodes: ALL_POS }
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const stock = range(ROWS).map((i) => Stock.generate(SEED, i))
const movements = range(ROWS).map((i) => Movements.generate(SEED, i, ROWS))
const sellOuts = range(ROWS).map((i) => SellOuts.generate(SEED, i, CUSTOMERS))
const invoices = range(ROWS).map((i) => Invoices.generate(SEED, i))
const orders = range(ROWS).map((i) => Orders.generate(SEED, i))

/** One case: the filter sent, and the rows a straightforward reading of the semantics selects. */
interface Case {
  readonly name: string
  readonly kind: ExportKind.Name
  readonly filter: Record<string, unknown>
  /** The lines expected, in file order. */
  readonly expected: () => ReadonlyArray<string>
}

/** Cases that select as many rows as the kind's first case (its brand and POS codes alone). */
const WHOLE = new Set([
  "stock: no POS codes: every POS",
  "stock: includeRSP fills the retail sales price",
  "stock: includeExtraInfo fills the extra columns",
  "stock: includeConsignmentNotAuthorizedPOS brings back consignment stock of every POS",
  "movements: sortBy DateASC: oldest first",
  "movements: sortBy DateDESC: newest first"
])

const ofBrand = <A extends { readonly brand: string }>(rows: ReadonlyArray<A>) =>
  rows.filter((r) => r.brand === BRAND)
const authorisedOrStandard = (s: Stock.StockItem) => s.type === "standard" || s.consignmentAuthorizedPos
const stockCase = (
  name: string,
  filter: Record<string, unknown>,
  test: (s: Stock.StockItem) => boolean,
  options: Stock.RowOptions = {}
): Case => ({
  name: `stock: ${name}`,
  kind: "stock",
  filter: { ...base, ...filter },
  expected: () =>
    ofBrand(stock)
      .filter(test)
      .map((s) => Stock.csv.row(s, options))
})
const aStock = ofBrand(stock)[5]!

const stockCases: ReadonlyArray<Case> = [
  stockCase("brand alone leaves out consignment stock of unauthorised POS", {}, authorisedOrStandard),
  stockCase("no POS codes: every POS", { posCodes: undefined }, authorisedOrStandard),
  stockCase(
    "posCodes, any of, case-insensitive",
    { posCodes: ["it100", "IT300", "jp300"] },
    (s) => ["IT100", "IT300", "JP300"].includes(s.posCode) && authorisedOrStandard(s)
  ),
  stockCase(
    "articleCodes, any of",
    { articleCodes: [aStock.articleCode.toLowerCase(), "NOPE"] },
    (s) => s.articleCode === aStock.articleCode && authorisedOrStandard(s)
  ),
  stockCase(
    "clusterIds, any of",
    { clusterIds: ["asia", "MIDDLE-EAST"] },
    (s) => ["ASIA", "MIDDLE-EAST"].includes(s.clusterId) && authorisedOrStandard(s)
  ),
  stockCase(
    "includeConsignmentNotAuthorizedPOS brings back consignment stock of every POS",
    { includeConsignmentNotAuthorizedPOS: true },
    () => true
  ),
  stockCase(
    "type consigned",
    { type: "consigned" },
    (s) => s.type === "consigned" && s.consignmentAuthorizedPos
  ),
  stockCase("type standard", { type: "standard" }, (s) => s.type === "standard"),
  stockCase(
    "in stock since, inclusive",
    { dateFrom: aStock.stockDate, dateTo: "2024-12-31" },
    (s) => s.stockDate >= aStock.stockDate && s.stockDate <= "2024-12-31" && authorisedOrStandard(s)
  ),
  stockCase(
    "productCategories: every id given holds on the same category",
    { productCategories: [{ grandCategoryId: "WAT", masterCategoryId: "lad" }] },
    (s) => s.productCategory.masterCategoryId === "LAD" && authorisedOrStandard(s)
  ),
  stockCase("includeRSP fills the retail sales price", { includeRSP: true }, authorisedOrStandard, {
    includeRSP: true
  }),
  stockCase("includeExtraInfo fills the extra columns", { includeExtraInfo: true }, authorisedOrStandard, {
    includeExtraInfo: true
  })
]

const aMove = ofBrand(movements)[40]!
const moveCase = (
  name: string,
  filter: Record<string, unknown>,
  test: (m: Movements.Movement) => boolean,
  oldestFirst = false
): Case => ({
  name: `movements: ${name}`,
  kind: "movements",
  filter: { ...base, ...filter },
  expected: () => {
    const lines = ofBrand(movements)
      .filter(test)
      .map((r) => Movements.csv.row(r))
    return oldestFirst ? lines : lines.reverse()
  }
})

const movementCases: ReadonlyArray<Case> = [
  moveCase("brand and POS, newest first by default", {}, () => true),
  moveCase("posCodes, any of", { posCodes: ["FR100", "fr200"] }, (m) =>
    ["FR100", "FR200"].includes(m.posCode)
  ),
  moveCase("movementTypeIds, any of", { movementTypeIds: [2, 7] }, (m) => [2, 7].includes(m.movementTypeId)),
  moveCase(
    "searchKey over an article code",
    { searchKey: aMove.articleCode.slice(0, 6).toLowerCase() },
    (m) =>
      m.articleCode.includes(aMove.articleCode.slice(0, 6)) ||
      m.serialNumber.includes(aMove.articleCode.slice(0, 6))
  ),
  moveCase(
    "searchKey over a serial number",
    { searchKey: aMove.serialNumber },
    (m) => m.serialNumber === aMove.serialNumber
  ),
  moveCase(
    "movement dates, inclusive",
    { dateFrom: aMove.movementDate, dateTo: "2024-06-30" },
    (m) => m.movementDate >= aMove.movementDate && m.movementDate <= "2024-06-30"
  ),
  moveCase("sortBy DateASC: oldest first", { sortBy: "DateASC" }, () => true, true),
  moveCase("sortBy DateDESC: newest first", { sortBy: "datedesc" }, () => true)
]

const aSale = ofBrand(sellOuts).find((s) => s.saleRepresentativeEmails.length > 1)!
const saleCase = (
  name: string,
  filter: Record<string, unknown>,
  test: (s: SellOuts.SellOut) => boolean
): Case => ({
  name: `sell-out: ${name}`,
  kind: "sell-out",
  filter: { ...base, ...filter },
  expected: () =>
    ofBrand(sellOuts)
      .filter(test)
      .map((r) => SellOuts.csv.row(r))
})

const sellOutCases: ReadonlyArray<Case> = [
  saleCase("brand and POS", {}, () => true),
  saleCase("posCodes, any of", { posCodes: ["CH100", "ch300"] }, (s) =>
    ["CH100", "CH300"].includes(s.posCode)
  ),
  saleCase(
    "document dates, inclusive",
    { dateFrom: "2023-03-01", dateTo: "2023-09-30" },
    (s) => s.documentDate >= "2023-03-01" && s.documentDate <= "2023-09-30"
  ),
  saleCase(
    "articleCodes, any of",
    { articleCodes: [aSale.articleCode] },
    (s) => s.articleCode === aSale.articleCode
  ),
  saleCase(
    "productCategories by grand category",
    { productCategories: [{ grandCategoryId: "ACC" }] },
    (s) => s.productCategory.grandCategoryId === "ACC"
  ),
  saleCase(
    "saleRepresentativeEmails: any of the line's representatives",
    { saleRepresentativeEmails: [aSale.saleRepresentativeEmails[1]!.toUpperCase()] },
    (s) => s.saleRepresentativeEmails.includes(aSale.saleRepresentativeEmails[1]!)
  ),
  saleCase("selloutType sellout: the sales", { selloutType: "sellout" }, (s) => s.quantity > 0),
  saleCase("selloutType return: the returns", { selloutType: "return" }, (s) => s.quantity < 0),
  saleCase("type consigned", { type: "consigned" }, (s) => s.type === "consigned"),
  saleCase(
    "warrantyExtensionStatusIds, any of, 5 and 6 included",
    { warrantyExtensionStatusIds: [3, 5, 6] },
    (s) => [3, 5, 6].includes(s.warrantyExtensionStatusId)
  )
]

const invoiceCase = (
  name: string,
  filter: Record<string, unknown>,
  test: (i: Invoices.Invoice) => boolean
): Case => ({
  name: `invoices: ${name}`,
  kind: "invoices",
  filter: { ...base, ...filter },
  expected: () =>
    ofBrand(invoices)
      .filter(test)
      .map((r) => Invoices.csv.row(r))
})

const invoiceCases: ReadonlyArray<Case> = [
  invoiceCase("brand and POS", {}, () => true),
  invoiceCase("posCodes, any of", { posCodes: ["GB200"] }, (i) => i.posCode === "GB200"),
  invoiceCase(
    "invoice dates, inclusive",
    { dateFrom: "2024-02-01", dateTo: "2024-02-29" },
    (i) => i.invoiceDate >= "2024-02-01" && i.invoiceDate <= "2024-02-29"
  ),
  invoiceCase("reasonCodes, any of, case-insensitive", { reasonCodes: ["y06", "Y09"] }, (i) =>
    ["Y06", "Y09"].includes(i.reasonCode)
  ),
  invoiceCase(
    "productCategories down to the sub-category",
    { productCategories: [{ grandCategoryId: "JEW", subCategoryId: "NCK-SLV-02" }] },
    (i) => i.productCategory.subCategoryId === "NCK-SLV-02"
  )
]

const orderCase = (
  name: string,
  filter: Record<string, unknown>,
  test: (o: Orders.Order) => boolean
): Case => ({
  name: `orders: ${name}`,
  kind: "orders",
  filter: { ...base, ...filter },
  expected: () =>
    ofBrand(orders)
      .filter(test)
      .map((r) => Orders.csv.row(r))
})

const orderCases: ReadonlyArray<Case> = [
  orderCase("brand and POS", {}, () => true),
  orderCase("posCodes, any of", { posCodes: ["US100", "AE300"] }, (o) =>
    ["US100", "AE300"].includes(o.posCode)
  ),
  orderCase(
    "order dates, inclusive",
    { dateFrom: "2024-06-01", dateTo: "2024-08-31" },
    (o) => o.orderDate >= "2024-06-01" && o.orderDate <= "2024-08-31"
  ),
  orderCase("status, any of (I and N read apart)", { status: ["I", "n", "PS"] }, (o) =>
    ["I", "N", "PS"].includes(o.status)
  ),
  orderCase("reasonCode (singular), any of", { reasonCode: ["Y03"] }, (o) => o.reasonCode === "Y03"),
  orderCase(
    "productCategories by master category",
    { productCategories: [{ grandCategoryId: "JEW", masterCategoryId: "BRC" }] },
    (o) => o.productCategory.masterCategoryId === "BRC"
  ),
  orderCase("finalShipTo, any of", { finalShipTo: ["IT100", "es200"] }, (o) =>
    ["IT100", "ES200"].includes(o.finalShipTo)
  ),
  orderCase(
    "several fields together (and)",
    { status: ["P", "PS"], dateFrom: "2024-01-01", reasonCode: ["Y00"] },
    (o) => ["P", "PS"].includes(o.status) && o.orderDate >= "2024-01-01" && o.reasonCode === "Y00"
  )
]

const cases = [...stockCases, ...movementCases, ...sellOutCases, ...invoiceCases, ...orderCases]

const headers: Readonly<Record<string, ReadonlyArray<string>>> = {
  stock: Stock.csv.columns,
  movements: Movements.csv.columns,
  "sell-out": SellOuts.csv.columns,
  invoices: Invoices.csv.columns,
  orders: Orders.csv.columns
}

describe("Filter semantics of the other exports, checked against the generated data", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({
      taskDurationMs: 0,
      seed: SEED,
      customers: CUSTOMERS,
      records: { stock: ROWS, movements: ROWS, "sell-out": ROWS, invoices: ROWS, orders: ROWS }
    })
  })
  afterAll(() => sb.close())

  it.each(cases)("$name", async ({ name, kind, filter, expected }) => {
    const want = expected()
    const first = cases.find((c) => c.kind === kind)!
    expect(want.length).toBeGreaterThan(0)
    if (name !== first.name && !WHOLE.has(name)) expect(want.length).toBeLessThan(first.expected().length)
    const sent = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined))
    const { task, rows, header } = await runExport(sb, sent, kind)
    expect(header).toEqual(headers[kind])
    expect(task.totalResults).toBe(want.length)
    expect(rows).toEqual(want.map((line) => Csv.parse(line)[0]))
  })
})
