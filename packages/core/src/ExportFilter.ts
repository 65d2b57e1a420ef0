/**
 * The export filters: every field of the six Booster2 export requests, each with its description,
 * examples and rules.
 *
 * | filter | request | operation |
 * |---|---|---|
 * | {@link CustomerFilter} | {@link CustomerExportRequest} | `ExportCustomer` (extends `SearchCustomer`) |
 * | {@link StockFilter} | {@link StockExportRequest} | `ExportStock` (extends `StockRequest`) |
 * | {@link MovementFilter} | {@link MovementExportRequest} | `ExportMovement` (extends `MovementsRequest`) |
 * | {@link SellOutFilter} | {@link SellOutExportRequest} | `ExportSellOut` |
 * | {@link InvoiceFilter} | {@link InvoiceExportRequest} | `ExportInvoice` |
 * | {@link OrderFilter} | {@link OrderExportRequest} | `ExportOrder` |
 *
 * A request is the full body, `downloadRequestId` included; a filter is the same without
 * `downloadRequestId` — what a person or an agent writes; the id is generated per request by the
 * client. Fields shared by several exports (`downloadRequestId`, `posCodes`, product categories,
 * article codes, sales representatives' emails, the item type) are declared once here.
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import * as Field from "./Field.js"
import * as FilterSpec from "./FilterSpec.js"

const posCode = Field.text("posCode", { description: "A POS legacy code.", examples: ["ES100"] })
const statusValue = Field.text("customerStatus", {
  description: "A customer status (open set).",
  examples: ["Client", "Prospect"]
})

/**
 * An interest: both the label and the SAP interest id are required.
 *
 * @since 0.1.0
 */
export const Interest = Field.record(
  "interest",
  {
    required: {
      interest: Field.text("interest", { description: "Interest label.", examples: ["Watches"] }),
      sapInterestId: Field.text("sapInterestId", { description: "SAP interest id.", examples: ["CA-1"] })
    },
    optional: {}
  },
  { description: "An interest the customer has; both members are required." }
)

/**
 * A hobby: either member may be omitted, but not both.
 *
 * @since 0.1.0
 */
export const Hobby = Field.record(
  "hobby",
  {
    required: {},
    optional: {
      hobby: Field.text("hobby", { description: "Hobby label.", examples: ["Art"] }),
      sapHobbyId: Field.text("sapHobbyId", { description: "SAP hobby id.", examples: ["ART"] })
    }
  },
  { description: "A hobby the customer has; give the label, the SAP id, or both." },
  { atLeastOne: true }
)

/**
 * A product collection: both the name and the SAP id are required.
 *
 * @since 0.1.0
 */
export const ProductCollection = Field.record(
  "productCollection",
  {
    required: {
      productCollection: Field.text("productCollection", {
        description: "Product collection name.",
        examples: ["Panthère"]
      }),
      sapProductCollectionId: Field.text("sapProductCollectionId", {
        description: "SAP product collection id.",
        examples: ["PAN"]
      })
    },
    optional: {}
  },
  { description: "A product collection the customer bought from; both members are required." }
)

/**
 * A product category: only `grandCategoryId` is required.
 *
 * @since 0.1.0
 */
export const ProductCategory = Field.record(
  "productCategory",
  {
    required: {
      grandCategoryId: Field.text("grandCategoryId", { description: "Grand category id.", examples: ["JEW"] })
    },
    optional: {
      brandCategoryId: Field.text("brandCategoryId", {
        description: "Brand category id.",
        examples: ["CAR-JEW"]
      }),
      masterCategoryId: Field.text("masterCategoryId", {
        description: "Master category id.",
        examples: ["RNG"]
      }),
      categoryId: Field.text("categoryId", { description: "Category id.", examples: ["RNG-GLD"] }),
      subCategoryId: Field.text("subCategoryId", {
        description: "Sub-category id.",
        examples: ["RNG-GLD-01"]
      })
    }
  },
  { description: "A product category; grandCategoryId is required." }
)

const downloadRequestId = Field.text("downloadRequestId", {
  description:
    "Your own id for this export request, sent unchanged on every attempt. Generated when you do not give one.",
  examples: ["3f1c9a60-2b1e-4c47-9a43-3c2b5f8d0e11"]
})

const brand = (description: string) =>
  Field.segment("brand", {
    description: `${description} (also the {brand} segment of the route).`,
    examples: ["CAR"]
  })

/** POS codes, required: every export but stock needs at least one. */
const posCodes = Field.list(
  "posCodes",
  posCode,
  {
    description: "POS (point of sale) legacy codes the export is restricted to; at least one.",
    examples: [["ES100", "IT200"]]
  },
  { required: true }
)

const saleRepresentativeEmails = (description: string) =>
  Field.list(
    "saleRepresentativeEmails",
    Field.email("saleRepresentativeEmail", {
      description: "A sales representative's email.",
      personal: true
    }),
    { description, personal: true }
  )

const articleCodes = (description: string) =>
  Field.list(
    "articleCodes",
    Field.text("articleCode", { description: "An article code.", examples: ["CRWSTA0030"] }),
    { description, examples: [["CRWSTA0030", "CRB4084600"]] }
  )

const productCategories = (description: string) =>
  Field.list("productCategories", ProductCategory, {
    description,
    examples: [[{ grandCategoryId: "JEW" }]]
  })

/** The item type of stock and sell-outs: `standard` or `consigned`; both when omitted. */
const itemType = (description: string) =>
  Field.choice("type", { standard: "", consigned: "" }, { description, examples: ["consigned"] })

const dates = (what: string, from: string, to: string) => ({
  dateFrom: Field.date("dateFrom", {
    description: `${what} on or after this date (YYYY-MM-DD).`,
    examples: [from]
  }),
  dateTo: Field.date("dateTo", {
    description: `${what} on or before this date (YYYY-MM-DD).`,
    examples: [to]
  })
})

const DATE_RANGE = [{ from: "dateFrom", to: "dateTo" }] as const

const customerFields = {
  required: {
    downloadRequestId,
    brand: brand("The brand whose customers are exported"),
    posCodes
  },
  optional: {
    searchKey: Field.text("searchKey", {
      description: "Free search over name, email, phone (without prefix), BoosterCustomerId or SapCRMId.",
      personal: true
    }),
    phoneNumber: Field.text("phoneNumber", { description: "Exact phone number match.", personal: true }),
    email: Field.email("email", { description: "Exact email match (case-insensitive).", personal: true }),
    locationCountryIds: Field.list(
      "locationCountryIds",
      Field.countryId("locationCountryId", {
        description: "Two-letter lower-case country id.",
        examples: ["it"]
      }),
      { description: "Countries the customers are located in (any of).", examples: [["it", "fr"]] }
    ),
    clientSpendingFrom: Field.amount("clientSpendingFrom", {
      description: "Lowest total client spending, inclusive.",
      examples: [100]
    }),
    clientSpendingTo: Field.amount("clientSpendingTo", {
      description: "Highest total client spending, inclusive.",
      examples: [50000]
    }),
    creationDateFrom: Field.date("creationDateFrom", {
      description: "Customers created on or after this date (YYYY-MM-DD).",
      examples: ["2022-01-01"]
    }),
    creationDateTo: Field.date("creationDateTo", {
      description: "Customers created on or before this date (YYYY-MM-DD).",
      examples: ["2023-11-01"]
    }),
    transactionDateFrom: Field.date("transactionDateFrom", {
      description: "Customers with a transaction on or after this date (YYYY-MM-DD).",
      examples: ["2023-01-01"]
    }),
    transactionDateTo: Field.date("transactionDateTo", {
      description: "Customers with a transaction on or before this date (YYYY-MM-DD).",
      examples: ["2023-12-31"]
    }),
    canBeContactedByMaison: Field.flag("canBeContactedByMaison", {
      description: "Only customers who agreed (true) or did not agree (false) to be contacted by the brand.",
      examples: [true]
    }),
    birthdateMonths: Field.list(
      "birthdateMonths",
      Field.integer(
        "birthdateMonth",
        { description: "A month: 1 = January … 12 = December.", examples: [3] },
        { min: 1, max: 12, rule: "month", message: "must be a whole month number from 1 to 12" }
      ),
      { description: "Birth months, 1 = January … 12 = December (any of).", examples: [[1, 12]] }
    ),
    interests: Field.list("interests", Interest, {
      description: "Interests (any of); each needs interest and sapInterestId.",
      examples: [[{ interest: "Watches", sapInterestId: "CA-1" }]]
    }),
    hobbies: Field.list("hobbies", Hobby, {
      description: "Hobbies (any of); each needs hobby, sapHobbyId or both.",
      examples: [[{ sapHobbyId: "ART" }]]
    }),
    productCollections: Field.list("productCollections", ProductCollection, {
      description:
        "Product collections bought from (any of); each needs productCollection and sapProductCollectionId.",
      examples: [[{ productCollection: "Panthère", sapProductCollectionId: "PAN" }]]
    }),
    customerStatus: Field.list("customerStatus", statusValue, {
      description: "Customer statuses (any of), e.g. Prospect, Client.",
      examples: [["Client", "Prospect"]]
    }),
    boosterCustomerIds: Field.list(
      "boosterCustomerIds",
      Field.integer(
        "boosterCustomerId",
        { description: "A Booster customer id.", examples: [1234567] },
        {
          min: 1,
          max: Number.MAX_SAFE_INTEGER,
          rule: "positive-id",
          message: "must be a positive whole number"
        }
      ),
      { description: "Booster customer ids (any of).", examples: [[1234567]] }
    ),
    hasSapCrmError: Field.flag("hasSapCrmError", {
      description: "Only customers whose SAP CRM synchronisation failed (true) or did not (false).",
      examples: [true]
    }),
    productCategories: productCategories(
      "Product categories bought in (any of); each needs grandCategoryId."
    ),
    saleRepresentativeEmails: saleRepresentativeEmails("Sales representatives' emails (any of).")
  }
} as const

/**
 * The `ExportCustomer` request body: the filter plus `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const CustomerExportRequest = FilterSpec.make({
  ...customerFields,
  ranges: [
    { from: "clientSpendingFrom", to: "clientSpendingTo" },
    { from: "creationDateFrom", to: "creationDateTo" },
    { from: "transactionDateFrom", to: "transactionDateTo" }
  ],
  description: "Exports the customers of a brand that match a filter."
})

/**
 * The validated, normalised `ExportCustomer` request body.
 *
 * @since 0.1.0
 */
export type CustomerExportRequest = Schema.Schema.Type<typeof CustomerExportRequest.schema>

/**
 * The customer filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const CustomerFilter = FilterSpec.omit(CustomerExportRequest, "downloadRequestId")

/**
 * The validated, normalised customer filter.
 *
 * @since 0.1.0
 */
export type CustomerFilter = Schema.Schema.Type<typeof CustomerFilter.schema>

/**
 * The `ExportStock` request body (`POST /stock/{brand}/export`): the stock positions of a brand,
 * optionally restricted to POS codes — the only export where they are optional.
 *
 * @since 0.1.0
 */
export const StockExportRequest = FilterSpec.make({
  required: {
    downloadRequestId,
    brand: brand("The brand whose stock is exported")
  },
  optional: {
    posCodes: Field.list("posCodes", posCode, {
      description:
        "POS (point of sale) legacy codes the export is restricted to (any of); optional for stock, and what the API exports without them is not documented.",
      examples: [["ES100", "IT200"]]
    }),
    articleCodes: articleCodes("Article codes (any of)."),
    includeExtraInfo: Field.flag("includeExtraInfo", {
      description: "Include extra information in the file (true); what it adds is not documented.",
      examples: [true]
    }),
    clusterIds: Field.list(
      "clusterIds",
      Field.text("clusterId", { description: "A stock cluster id.", examples: ["EU-SOUTH"] }),
      {
        description:
          "Stock cluster ids (any of); their values are not documented (the API's aggregated stock names a clusterCode).",
        examples: [["EU-SOUTH"]]
      }
    ),
    includeConsignmentNotAuthorizedPOS: Field.flag("includeConsignmentNotAuthorizedPOS", {
      description: "Include points of sale not authorised for consignment stock (true).",
      examples: [true]
    }),
    includeRSP: Field.flag("includeRSP", {
      description: "Include the retail sales price in the file (true); the API leaves it out by default.",
      examples: [true]
    }),
    ...dates("Items in stock since", "2024-01-01", "2024-06-30"),
    type: itemType("Item type; both when omitted."),
    productCategories: productCategories(
      "Product categories of the items (any of); each needs grandCategoryId."
    )
  },
  ranges: DATE_RANGE,
  description: "Exports the stock of a brand that matches a filter."
})

/**
 * The validated, normalised `ExportStock` request body.
 *
 * @since 0.1.0
 */
export type StockExportRequest = Schema.Schema.Type<typeof StockExportRequest.schema>

/**
 * The stock filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const StockFilter = FilterSpec.omit(StockExportRequest, "downloadRequestId")

/**
 * The validated, normalised stock filter.
 *
 * @since 0.1.0
 */
export type StockFilter = Schema.Schema.Type<typeof StockFilter.schema>

/**
 * The `ExportMovement` request body (`POST /stock/{brand}/movement/export`): stock movements at
 * some points of sale. The API's page describes `dateFrom` / `dateTo` as "In Stock Since", copied
 * from the stock export; they are read here as the movement's date. What each movement type id
 * means is not documented.
 *
 * @since 0.1.0
 */
export const MovementExportRequest = FilterSpec.make({
  required: {
    downloadRequestId,
    brand: brand("The brand whose stock movements are exported"),
    posCodes
  },
  optional: {
    movementTypeIds: Field.list(
      "movementTypeIds",
      Field.integer(
        "movementTypeId",
        { description: "A movement type id.", examples: [1] },
        {
          min: 0,
          max: Number.MAX_SAFE_INTEGER,
          rule: "id",
          message: "must be a whole number, zero or more"
        }
      ),
      {
        description: "Movement type ids (any of); what each id means is not documented.",
        examples: [[1, 2]]
      }
    ),
    searchKey: Field.text("searchKey", {
      description: "An article code or serial number to search for.",
      examples: ["CRWSTA0030"]
    }),
    ...dates("Movements dated", "2024-01-01", "2024-03-31"),
    sortBy: Field.choice(
      "sortBy",
      { DateDESC: "newest first, the default", DateASC: "oldest first" },
      { description: "Order of the movements by date.", examples: ["DateASC"] }
    )
  },
  ranges: DATE_RANGE,
  description: "Exports the stock movements of a brand's points of sale that match a filter."
})

/**
 * The validated, normalised `ExportMovement` request body.
 *
 * @since 0.1.0
 */
export type MovementExportRequest = Schema.Schema.Type<typeof MovementExportRequest.schema>

/**
 * The movement filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const MovementFilter = FilterSpec.omit(MovementExportRequest, "downloadRequestId")

/**
 * The validated, normalised movement filter.
 *
 * @since 0.1.0
 */
export type MovementFilter = Schema.Schema.Type<typeof MovementFilter.schema>

/**
 * The warranty extension statuses of a sale. The export page lists 1 to 4; the sale-detail page
 * (`GetSaleDetails`) lists 5 and 6 as well, so all six are accepted: a status the export page
 * forgot would otherwise be refused here although the API has it.
 *
 * @since 0.1.0
 */
export const WARRANTY_EXTENSION_STATUSES: Readonly<Record<number, string>> = {
  1: "activated",
  2: "requested",
  3: "refused",
  4: "error",
  5: "action required",
  6: "pending"
}

/**
 * The `ExportSellOut` request body (`POST /warranty/{brand}/export`): sales and returns at some
 * points of sale, with their warranty extension statuses. Sell-out rows link to customers
 * (`boosterCustomerId`) and name sales representatives.
 *
 * @since 0.1.0
 */
export const SellOutExportRequest = FilterSpec.make({
  required: {
    downloadRequestId,
    brand: brand("The brand whose sell-outs are exported"),
    posCodes
  },
  optional: {
    ...dates("Sell-outs dated", "2024-01-01", "2024-12-31"),
    articleCodes: articleCodes("Article codes, global or local (any of)."),
    productCategories: productCategories("Product categories sold (any of); each needs grandCategoryId."),
    saleRepresentativeEmails: saleRepresentativeEmails(
      "Emails of the sales representatives who sold (any of)."
    ),
    selloutType: Field.choice(
      "selloutType",
      { sellout: "sales", return: "returns" },
      { description: "Sales or returns; both when omitted.", examples: ["sellout"] }
    ),
    type: itemType("Item type sold; both when omitted."),
    warrantyExtensionStatusIds: Field.list(
      "warrantyExtensionStatusIds",
      Field.integer(
        "warrantyExtensionStatusId",
        { description: "A warranty extension status, 1 to 6.", examples: [1] },
        {
          min: 1,
          max: 6,
          rule: "warranty-status",
          message: "must be a warranty extension status from 1 to 6"
        }
      ),
      {
        description: `Warranty extension statuses (any of): ${Object.entries(WARRANTY_EXTENSION_STATUSES)
          .map(([id, meaning]) => `${id} ${meaning}`)
          .join(", ")}.`,
        examples: [[1, 2]]
      }
    )
  },
  ranges: DATE_RANGE,
  description: "Exports the sell-outs (sales and returns) of a brand's points of sale that match a filter."
})

/**
 * The validated, normalised `ExportSellOut` request body.
 *
 * @since 0.1.0
 */
export type SellOutExportRequest = Schema.Schema.Type<typeof SellOutExportRequest.schema>

/**
 * The sell-out filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const SellOutFilter = FilterSpec.omit(SellOutExportRequest, "downloadRequestId")

/**
 * The validated, normalised sell-out filter.
 *
 * @since 0.1.0
 */
export type SellOutFilter = Schema.Schema.Type<typeof SellOutFilter.schema>

const reasonCode = Field.text("reasonCode", { description: "A reason code.", examples: ["Y00"] })
const REASON_CODES = "Reason codes (any of), e.g. Y00, Y06; what each code means is not documented."

/**
 * The `ExportInvoice` request body (`POST /invoice/{brand}/export`). What an invoice file holds is
 * not documented.
 *
 * @since 0.1.0
 */
export const InvoiceExportRequest = FilterSpec.make({
  required: {
    downloadRequestId,
    brand: brand("The brand whose invoices are exported"),
    posCodes
  },
  optional: {
    ...dates("Invoices dated", "2024-01-01", "2024-12-31"),
    reasonCodes: Field.list("reasonCodes", reasonCode, {
      description: REASON_CODES,
      examples: [["Y00", "Y06"]]
    }),
    productCategories: productCategories("Product categories invoiced (any of); each needs grandCategoryId.")
  },
  ranges: DATE_RANGE,
  description: "Exports the invoices of a brand's points of sale that match a filter."
})

/**
 * The validated, normalised `ExportInvoice` request body.
 *
 * @since 0.1.0
 */
export type InvoiceExportRequest = Schema.Schema.Type<typeof InvoiceExportRequest.schema>

/**
 * The invoice filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const InvoiceFilter = FilterSpec.omit(InvoiceExportRequest, "downloadRequestId")

/**
 * The validated, normalised invoice filter.
 *
 * @since 0.1.0
 */
export type InvoiceFilter = Schema.Schema.Type<typeof InvoiceFilter.schema>

/**
 * The order statuses. The API's page lists them in one run of text in which `I (In transit)` and
 * `N (Pending)` have no separator between them ("I (In transit)N (Pending)"); every other status is
 * a code followed by its meaning in brackets, so the run is read as two statuses, `I` and `N`.
 *
 * @since 0.1.0
 */
export const ORDER_STATUSES = {
  B: "backorder",
  C: "created",
  D: "draft",
  I: "in transit",
  N: "pending",
  P: "shipped",
  PS: "partially shipped",
  R: "reserved",
  X: "RP simulated",
  Z: "deleted"
} as const

/**
 * The `ExportOrder` request body (`POST /purchase/{brand}/export`). Its reason-code list is named
 * `reasonCode` on the wire — singular, unlike the invoice export's `reasonCodes`.
 *
 * @since 0.1.0
 */
export const OrderExportRequest = FilterSpec.make({
  required: {
    downloadRequestId,
    brand: brand("The brand whose orders are exported"),
    posCodes
  },
  optional: {
    ...dates("Orders dated", "2024-01-01", "2024-12-31"),
    status: Field.list(
      "status",
      Field.choice("orderStatus", ORDER_STATUSES, { description: "An order status.", examples: ["P"] }),
      { description: "Order statuses (any of).", examples: [["P", "PS"]] }
    ),
    reasonCode: Field.list("reasonCode", reasonCode, {
      description: `${REASON_CODES} The API names this list reasonCode, in the singular.`,
      examples: [["Y00", "Y06"]]
    }),
    productCategories: productCategories("Product categories ordered (any of); each needs grandCategoryId."),
    finalShipTo: Field.list("finalShipTo", posCode, {
      description: "POS legacy codes the orders are finally shipped to (any of).",
      examples: [["IT200"]]
    })
  },
  ranges: DATE_RANGE,
  description: "Exports the orders of a brand's points of sale that match a filter."
})

/**
 * The validated, normalised `ExportOrder` request body.
 *
 * @since 0.1.0
 */
export type OrderExportRequest = Schema.Schema.Type<typeof OrderExportRequest.schema>

/**
 * The order filter: the request without `downloadRequestId`.
 *
 * @since 0.1.0
 */
export const OrderFilter = FilterSpec.omit(OrderExportRequest, "downloadRequestId")

/**
 * The validated, normalised order filter.
 *
 * @since 0.1.0
 */
export type OrderFilter = Schema.Schema.Type<typeof OrderFilter.schema>
