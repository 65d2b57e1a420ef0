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
