/**
 * The customer export filter: every field of the Booster2 `ExportCustomer` request (which extends
 * `SearchCustomer`), with its description, examples and rules.
 *
 * - {@link CustomerExportRequest}: the full request body, `downloadRequestId` included.
 * - {@link CustomerFilter}: the same without `downloadRequestId` — what a person or an agent writes;
 *   the id is generated per request by the client.
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
  { description: "A product category the customer bought in; grandCategoryId is required." }
)

const customerFields = {
  required: {
    downloadRequestId: Field.text("downloadRequestId", {
      description:
        "Your own id for this export request, sent unchanged on every attempt. Generated when you do not give one.",
      examples: ["3f1c9a60-2b1e-4c47-9a43-3c2b5f8d0e11"]
    }),
    brand: Field.segment("brand", {
      description: "The brand whose customers are exported (also the {brand} segment of the route).",
      examples: ["CAR"]
    }),
    posCodes: Field.list(
      "posCodes",
      posCode,
      {
        description: "POS (point of sale) legacy codes the export is restricted to; at least one.",
        examples: [["ES100", "IT200"]]
      },
      { required: true }
    )
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
    productCategories: Field.list("productCategories", ProductCategory, {
      description: "Product categories bought in (any of); each needs grandCategoryId.",
      examples: [[{ grandCategoryId: "JEW" }]]
    }),
    saleRepresentativeEmails: Field.list(
      "saleRepresentativeEmails",
      Field.email("saleRepresentativeEmail", {
        description: "A sales representative's email.",
        personal: true
      }),
      { description: "Sales representatives' emails (any of).", personal: true }
    )
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
