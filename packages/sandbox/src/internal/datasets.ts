/**
 * The data set behind each export route: how many rows it has, which of them a validated request
 * selects, the CSV line of a selected row, and the order rows are written in. Rows are generated
 * on demand from (seed, index), so a task keeps only a bitmap of the selected indices.
 */
import type { ExportFilter, ExportKind } from "@booster-export/core"
import * as Csv from "../Csv.js"
import * as Customers from "../Customers.js"
import * as Invoices from "../Invoices.js"
import * as Matcher from "../Matcher.js"
import * as Movements from "../Movements.js"
import * as Orders from "../Orders.js"
import * as SellOuts from "../SellOuts.js"
import * as Stock from "../Stock.js"

/**
 * The task `type` the sandbox gives each export's tasks. The API documents none of them: `crm`,
 * `stock` and `sellout` are the examples of its task description (presumably customer, stock and
 * sell-out exports); `movement`, `invoice` and `order` are the sandbox's own choice. A client must
 * not take them as the API's.
 */
export const TASK_TYPES: Readonly<Record<ExportKind.Name, string>> = {
  customers: "crm",
  stock: "stock",
  movements: "movement",
  "sell-out": "sellout",
  invoices: "invoice",
  orders: "order"
}

/** The task `type` of the sandbox's import tasks (the API's is not documented). */
export const IMPORT_TASK_TYPE = "import"

/** What the data sets are generated from. */
export interface Context {
  readonly seed: number
  readonly brands: ReadonlyArray<string>
  /** Rows of each data set, by export kind name (customers included). */
  readonly counts: Readonly<Record<ExportKind.Name, number>>
}

/** The rows a request selects, and how they are written. */
export interface Selection {
  /** Rows in the data set (selected or not). */
  readonly total: number
  readonly header: string
  /** The CSV line of row `index` when the request selects it, else `undefined`. */
  readonly lineAt: (index: number) => string | undefined
  /** True when the file lists rows from the last index to the first. */
  readonly descending: boolean
}

const selection = <Row>(
  total: number,
  header: string,
  generate: (index: number) => Row,
  test: (row: Row) => boolean,
  line: (row: Row) => string,
  descending = false
): Selection => ({
  total,
  header,
  lineAt: (index) => {
    const row = generate(index)
    return test(row) ? line(row) : undefined
  },
  descending
})

/**
 * The selection of a validated request of `kind`. `allowedPos` (upper case) is the POS an API key is
 * restricted to: a stock request without POS codes selects only those.
 */
export const select = (
  kind: ExportKind.Any,
  request: object,
  context: Context,
  allowedPos: ReadonlySet<string> | undefined
): Selection => {
  const { seed, brands, counts } = context
  switch (kind.name as ExportKind.Name) {
    case "customers":
      return selection(
        counts.customers,
        Csv.header,
        (i) => Customers.generate(seed, i, brands),
        Matcher.compile(request as ExportFilter.CustomerFilter),
        Csv.row
      )
    case "stock": {
      const filter = request as ExportFilter.StockFilter
      return selection(
        counts.stock,
        Stock.csv.header,
        (i) => Stock.generate(seed, i, brands),
        Stock.compile(filter, allowedPos),
        (item) => Stock.csv.row(item, filter)
      )
    }
    case "movements": {
      const filter = request as ExportFilter.MovementFilter
      return selection(
        counts.movements,
        Movements.csv.header,
        (i) => Movements.generate(seed, i, counts.movements, brands),
        Movements.compile(filter),
        (row) => Movements.csv.row(row),
        Movements.newestFirst(filter)
      )
    }
    case "sell-out":
      return selection(
        counts["sell-out"],
        SellOuts.csv.header,
        (i) => SellOuts.generate(seed, i, counts.customers, brands),
        SellOuts.compile(request as ExportFilter.SellOutFilter),
        (row) => SellOuts.csv.row(row)
      )
    case "invoices":
      return selection(
        counts.invoices,
        Invoices.csv.header,
        (i) => Invoices.generate(seed, i, brands),
        Invoices.compile(request as ExportFilter.InvoiceFilter),
        (row) => Invoices.csv.row(row)
      )
    case "orders":
      return selection(
        counts.orders,
        Orders.csv.header,
        (i) => Orders.generate(seed, i, brands),
        Orders.compile(request as ExportFilter.OrderFilter),
        (row) => Orders.csv.row(row)
      )
  }
}
