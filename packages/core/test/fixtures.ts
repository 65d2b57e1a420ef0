import { Fingerprint } from "../src/index.js"

/** A minimal valid customer export request, and the example filter of the documentation. */
export const minimal = { downloadRequestId: "req-1", brand: "CAR", posCodes: ["ES100"] } as const

export const example = {
  downloadRequestId: "req-2",
  brand: "CAR",
  posCodes: ["ES100", "IT200"],
  locationCountryIds: ["it", "fr"],
  creationDateFrom: "2022-01-01",
  creationDateTo: "2023-11-01",
  clientSpendingFrom: 100,
  clientSpendingTo: 50000,
  canBeContactedByMaison: true,
  customerStatus: ["Client", "Prospect"]
} as const

/** A fingerprint key for tests (32 fixed bytes), and a second one standing for another install. */
export const testKey = Fingerprint.key(new Uint8Array(32).fill(7))
export const otherKey = Fingerprint.key(new Uint8Array(32).fill(9))

/** A request of every other export kind, with most of its fields, as a person would write it. */
export const siblings = {
  stock: {
    downloadRequestId: "req-stock",
    brand: "CAR",
    posCodes: ["ES100", "IT200"],
    articleCodes: ["CRWSTA0030"],
    includeExtraInfo: true,
    clusterIds: ["EU-SOUTH"],
    includeConsignmentNotAuthorizedPOS: false,
    includeRSP: true,
    dateFrom: "2024-01-01",
    dateTo: "2024-06-30",
    type: "consigned",
    productCategories: [{ grandCategoryId: "WAT" }]
  },
  movements: {
    downloadRequestId: "req-movements",
    brand: "CAR",
    posCodes: ["ES100"],
    movementTypeIds: [1, 2],
    searchKey: "SN123456",
    dateFrom: "2024-01-01",
    dateTo: "2024-03-31",
    sortBy: "DateASC"
  },
  "sell-out": {
    downloadRequestId: "req-sell-out",
    brand: "CAR",
    posCodes: ["ES100", "IT200"],
    dateFrom: "2024-01-01",
    dateTo: "2024-12-31",
    articleCodes: ["CRWSTA0030", "CRB4084600"],
    productCategories: [{ grandCategoryId: "JEW", categoryId: "RNG-GLD" }],
    saleRepresentativeEmails: ["anna.rossi@maison.example"],
    selloutType: "return",
    type: "standard",
    warrantyExtensionStatusIds: [1, 6]
  },
  invoices: {
    downloadRequestId: "req-invoices",
    brand: "CAR",
    posCodes: ["ES100", "IT200"],
    dateFrom: "2024-01-01",
    dateTo: "2024-12-31",
    reasonCodes: ["Y00", "Y06"],
    productCategories: [{ grandCategoryId: "ACC" }]
  },
  orders: {
    downloadRequestId: "req-orders",
    brand: "CAR",
    posCodes: ["ES100"],
    dateFrom: "2024-01-01",
    status: ["P", "PS"],
    reasonCode: ["Y00"],
    productCategories: [{ grandCategoryId: "WAT", masterCategoryId: "MEN" }],
    finalShipTo: ["IT200"]
  }
} as const
