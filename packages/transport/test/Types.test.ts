// Type tests: checked by `tsc` (the package's typecheck, which fails on a wrong type or an unused
// `@ts-expect-error`). The calls only build effects: nothing is sent.
import { ExportKind, type Task } from "@booster-export/core"
import { Effect, type Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import {
  Auth,
  BoosterClient,
  type BoosterError,
  Promise as BoosterPromise,
  ExportToFile
} from "../src/index.js"
import { testKey } from "./support.js"

type Client = BoosterClient.Service
type ErrorOf<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
type StreamErrorOf<T> = T extends Stream.Stream<infer _A, infer E, infer _R> ? E : never

const client: Client = await Effect.runPromise(
  BoosterClient.make({
    baseUrl: "https://booster.example.com/api",
    auth: Auth.bearer("k"),
    fingerprintKey: testKey
  }).pipe(Effect.provide(BoosterClient.httpLayer))
)
const filter = { brand: "CAR", posCodes: ["IT100"] }

describe("the error channel of each operation lists only what it can raise", () => {
  it("getTask and listTasks: request errors only", () => {
    expectTypeOf<ErrorOf<ReturnType<Client["getTask"]>>>().toEqualTypeOf<BoosterError.RequestError>()
    expectTypeOf<ErrorOf<ReturnType<Client["listTasks"]>>>().toEqualTypeOf<BoosterError.RequestError>()
  })

  it("followTask: request errors and ExportFailedError", () => {
    expectTypeOf<StreamErrorOf<ReturnType<Client["followTask"]>>>().toEqualTypeOf<
      BoosterError.RequestError | BoosterError.ExportFailedError
    >()
  })

  it("download: request errors and DownloadError", () => {
    expectTypeOf<ErrorOf<ReturnType<Client["download"]>>>().toEqualTypeOf<
      BoosterError.RequestError | BoosterError.DownloadError
    >()
  })

  it("startExport: request errors, ValidationError, InvalidConfigError and OutcomeUnknownError", () => {
    expectTypeOf<ErrorOf<ReturnType<typeof client.startExport<"stock">>>>().toEqualTypeOf<
      | BoosterError.RequestError
      | BoosterError.ValidationError
      | BoosterError.InvalidConfigError
      | BoosterError.OutcomeUnknownError
    >()
  })

  it("dryRun: ValidationError and InvalidConfigError, nothing of a request", () => {
    expectTypeOf<ErrorOf<ReturnType<typeof client.dryRun<"customers">>>>().toEqualTypeOf<
      BoosterError.ValidationError | BoosterError.InvalidConfigError
    >()
  })

  it("no operation but exportToFile can fail with all of them", () => {
    expectTypeOf<
      ErrorOf<ReturnType<typeof ExportToFile.exportToFile<"stock">>>
    >().toEqualTypeOf<BoosterError.BoosterError>()
    expectTypeOf<BoosterError.DownloadError>().not.toExtend<ErrorOf<ReturnType<Client["getTask"]>>>()
    expectTypeOf<BoosterError.ExportFailedError>().not.toExtend<ErrorOf<ReturnType<Client["download"]>>>()
  })
})

describe("startExport, dryRun and exportToFile take the filter type of their kind", () => {
  it("a customer filter by default; a misspelt field or a wrong type does not compile", () => {
    client.startExport(filter)
    // @ts-expect-error: posCode is not a field (posCodes is)
    client.startExport({ brand: "CAR", posCode: ["IT100"] })
    // @ts-expect-error: clientSpendingFrom is a number
    client.dryRun({ ...filter, clientSpendingFrom: "100" })
    // @ts-expect-error: brand is required
    ExportToFile.exportToFile({ posCodes: ["IT100"] }, "./exports/")
  })

  it("another kind by name or by value: its own filter", () => {
    expectTypeOf(client.startExport<"stock">)
      .parameter(1)
      .toEqualTypeOf<BoosterClient.ExportInput<"stock">>()
    expectTypeOf<BoosterClient.ExportInput<"stock">>().toExtend<ExportKind.FilterOf<"stock">>()
    expectTypeOf<BoosterClient.ExportInput<typeof ExportKind.Stock>>().toEqualTypeOf<
      BoosterClient.ExportInput<"stock">
    >()
    client.startExport("stock", { brand: "CAR", articleCodes: ["A1"] })
    client.startExport(ExportKind.Stock, { brand: "CAR" }, { downloadRequestId: "r-1" })
    // @ts-expect-error: email is a customer field, not a stock one
    client.startExport("stock", { brand: "CAR", email: "a@example.com" })
    // @ts-expect-error: "stocks" is no kind's name
    client.startExport("stocks", { brand: "CAR" })
  })

  it("a kind known only at run time takes any input, validated when the effect runs", () => {
    const kind = ExportKind.byName(String(process.env.NO_SUCH_VARIABLE ?? "stock"))
    if (kind !== undefined) client.startExport(kind, { anything: 1 })
    expectTypeOf<BoosterClient.ExportInput<ExportKind.Any>>().toEqualTypeOf<unknown>()
  })
})

/** Compiled, never called: the Promise client would send. */
export const promiseCalls = (promised: BoosterPromise.Client) => [
  // @ts-expect-error: posCode is not a field (posCodes is)
  promised.startExport({ brand: "CAR", posCode: ["IT100"] }),
  // @ts-expect-error: email is a customer field, not a stock one
  promised.exportToFile("stock", { brand: "CAR", email: "a@example.com" }, "./exports/"),
  promised.dryRun("stock", { brand: "CAR", articleCodes: ["A1"] })
]

describe("the Promise API", () => {
  it("takes the same inputs and answers tasks with ISO dates", () => {
    expectTypeOf<BoosterPromise.ExportInput<"stock">>().toEqualTypeOf<BoosterClient.ExportInput<"stock">>()
    expectTypeOf<Awaited<ReturnType<BoosterPromise.Client["getTask"]>>>().toEqualTypeOf<Task.Task>()
    expectTypeOf<Task.Task["requestDate"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Task.Task["requestDateRaw"]>().toEqualTypeOf<string>()
  })

  it("throws the Effect API's error classes, not copies of them", () => {
    expectTypeOf(BoosterPromise.ValidationError).toEqualTypeOf<typeof BoosterError.ValidationError>()
    expectTypeOf(BoosterPromise.RateLimitedError).toEqualTypeOf<typeof BoosterError.RateLimitedError>()
    expectTypeOf<BoosterPromise.ClientError>().toEqualTypeOf<
      BoosterError.BoosterError | BoosterPromise.AbortError | BoosterPromise.UnexpectedError
    >()
  })
})

it("the layers are module-level functions", () => {
  expectTypeOf(BoosterClient.layer).returns.toExtend<
    import("effect").Layer.Layer<BoosterClient.BoosterClient, BoosterError.InvalidConfigError>
  >()
  expectTypeOf(BoosterClient.layerConfig).toExtend<
    import("effect").Layer.Layer<BoosterClient.BoosterClient, unknown>
  >()
  void Effect.void
})
