/**
 * The sandbox: an embedded simulator of the Booster2 API routes an export uses, on 127.0.0.1.
 *
 * - API origin: the six export routes — `POST /customer/{brand}/export`, `/stock/{brand}/export`,
 *   `/stock/{brand}/movement/export`, `/warranty/{brand}/export`, `/invoice/{brand}/export`,
 *   `/purchase/{brand}/export` — validated with core's schemas, `GET /tasks`,
 *   `GET /tasks/{asyncTaskId}` (JSON, ServiceStack error shapes, API-key auth, tasks owned by the
 *   key that created them), and ServiceStack's `GET /types/metadata` (no credentials), generated
 *   from core's model.
 * - Storage origin (its own port): the finished CSV at signed, expiring URLs
 *   `/files/<taskId>.csv?expires=<unix ms>&signature=<hex>`; no API credentials needed.
 * - Deterministic synthetic data per export (see `Customers` and `Matcher`, `Stock`, `Movements`,
 *   `SellOuts`, `Invoices`, `Orders`), a task lifecycle REQ → INP → COM / ERR, fault injection (see
 *   `Faults`) and a recorder of every request.
 *
 * ```ts
 * const sb = await Sandbox.start({ taskDurationMs: 0 })
 * // … talk to sb.baseUrl with sb.apiKey …
 * await sb.close()
 * ```
 *
 * @since 0.1.0
 */
import type { ExportKind, Task } from "@booster-export/core"
import { Context, Effect, Layer } from "effect"
import type * as Faults from "./Faults.js"
import { IMPORT_TASK_TYPE as IMPORT_TYPE, TASK_TYPES as TYPES } from "./internal/datasets.js"
import { DEFAULT_KEY, startServer } from "./internal/server.js"

/**
 * The task `type` the sandbox gives each export kind's tasks: `crm` (customers), `stock`,
 * `movement`, `sellout` (sell-out), `invoice`, `order`. The API documents none of them: `crm`,
 * `stock` and `sellout` are the examples of its task description, the others are the sandbox's
 * choice. Never read them as the API's (core's `ExportKind.taskType` says what is known).
 *
 * @since 0.1.0
 */
export const TASK_TYPES: Readonly<Record<ExportKind.Name, string>> = TYPES

/**
 * The task `type` of the import tasks listed with `importTasks: true`: `import` (the sandbox's
 * choice; the API's is not documented).
 *
 * @since 0.1.0
 */
export const IMPORT_TASK_TYPE: string = IMPORT_TYPE

/**
 * How many rows the data set of each export other than customers has.
 *
 * @since 0.1.0
 */
export type RecordCounts = { readonly [K in Exclude<ExportKind.Name, "customers">]?: number }

/**
 * The key accepted when no `keys` option is given; allowed every brand and POS.
 *
 * @since 0.1.0
 */
export const DEFAULT_API_KEY: string = DEFAULT_KEY

/**
 * A key the sandbox accepts, optionally restricted to some brands and POS codes (case-insensitive).
 *
 * @since 0.1.0
 */
export interface KeyOptions {
  readonly key: string
  /** Brands this key may export; every brand when absent. */
  readonly brands?: ReadonlyArray<string>
  /** POS codes this key may export; every POS when absent. */
  readonly posCodes?: ReadonlyArray<string>
}

/**
 * Options of {@link start}.
 *
 * @since 0.1.0
 */
export interface SandboxOptions {
  /** Interface both origins listen on. Default `127.0.0.1`. */
  readonly host?: string
  /** API port. Default 0 (ephemeral). */
  readonly port?: number
  /** Storage (download) port. Default 0 (ephemeral). */
  readonly storagePort?: number
  /** Number of synthetic customers. Default 10 000; a million or more keeps memory flat. */
  readonly customers?: number
  /**
   * Number of synthetic rows of the other exports, by kind: `{ stock, movements, "sell-out",
   * invoices, orders }`. Default 10 000 each.
   */
  readonly records?: RecordCounts
  /**
   * Whether `GET /tasks` also lists one import task per key (type {@link IMPORT_TASK_TYPE},
   * completed, with import counts and no file), as the API lists the user's imports beside the
   * exports: a client must not take every task for an export of its own. Default false.
   */
  readonly importTasks?: boolean
  /**
   * Brand trigrams the synthetic customers belong to (upper-cased). Default the six of
   * `Customers.brands`; one brand makes every customer exportable by a single export.
   */
  readonly brands?: ReadonlyArray<string>
  /** Seed of the synthetic data (and of fault probabilities). Default 1. */
  readonly seed?: number
  /** Time from REQ through INP to COM, in ms. Default 3000; 0 completes at once. */
  readonly taskDurationMs?: number
  /**
   * Whether a completed task carries its counts (`totalResults`, `totalSucceeded`, `totalFailed`).
   * Default true; false answers without them, as the API may (they are optional in its contract).
   */
  readonly totals?: boolean
  /** Accepted keys; the first is the demo key. Default: one key, {@link DEFAULT_API_KEY}, allowed everything. */
  readonly keys?: ReadonlyArray<KeyOptions>
  /** Header carrying an API key. Default `X-Api-Key`; `Authorization: Bearer <key>` is always accepted. */
  readonly apiKeyHeader?: string
  /** How long a signed download URL stays valid, in ms. Default 15 minutes. */
  readonly signedUrlTtlMs?: number
  /** Faults active from the start. */
  readonly faults?: ReadonlyArray<Faults.FaultRule>
  /**
   * The clock of task progress and URL expiry, in ms since the epoch. Default `Date.now`; tests pass
   * a manual clock to step a task through its lifecycle without waiting.
   */
  readonly now?: () => number
  /**
   * Shifts the `Date` header of every API answer by this many ms (positive: the server's clock is
   * ahead), to exercise clock-skew checks. Default 0: the real time.
   */
  readonly clockSkewMs?: number
  /**
   * The document answered at `GET /types/metadata`. Default core's `ApiMetadata.document()`, in step
   * with the model by construction; tests pass a drifted one.
   */
  readonly metadata?: unknown
}

/**
 * One request as received by either origin. Secrets are redacted.
 *
 * @since 0.1.0
 */
export interface RecordedRequest {
  readonly origin: "api" | "storage"
  readonly method: string
  /** Path with query; the URL signature is `<redacted>`. */
  readonly path: string
  /** Status answered; 0 when no response was sent (reset, timeout, closed). */
  readonly status: number
  /** SHA-256 (hex) of the request body, when there was one. */
  readonly bodySha256?: string
  /** Request headers, lower-case names; `authorization`, the API-key header and cookies are `<redacted>`. */
  readonly headers: Readonly<Record<string, string>>
  /** True when an `Authorization` or API-key header was present. */
  readonly carriedCredentials: boolean
  /** Value of an `x-booster-retry-count` header, if any. */
  readonly retryCount?: number
  /** The fault injected into this request, if any (`status`, `reset`, `truncate`, …). */
  readonly fault?: Faults.Fault["kind"]
}

/**
 * A sandbox that is listening.
 *
 * @since 0.1.0
 */
export interface RunningSandbox {
  /** API origin, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly baseUrl: string
  /** Storage (download) origin, e.g. `http://127.0.0.1:41235`. */
  readonly storageUrl: string
  /** The demo key (the first key). */
  readonly apiKey: string
  /**
   * OAuth2 client credentials token endpoint on the API origin: any client id with a key as the
   * client secret (form body or HTTP basic) gets that key as its access token.
   */
  readonly tokenUrl: string
  /** Changes faults while running. */
  readonly faults: Faults.FaultController
  /** Every request to either origin, in arrival order. */
  readonly requests: () => ReadonlyArray<RecordedRequest>
  /** Number of export tasks really created. */
  readonly tasksCreated: () => number
  /** Every task (import tasks included), as `GET /tasks/{id}` would show it now. */
  readonly tasks: () => ReadonlyArray<Task.ApiTask>
  /** Stops both origins, dropping open connections. Idempotent. */
  readonly close: () => Promise<void>
}

/**
 * Starts the sandbox; resolves when both origins listen.
 *
 * @since 0.1.0
 */
export const start = (options: SandboxOptions = {}): Promise<RunningSandbox> => startServer(options)

/**
 * The running sandbox as an Effect service.
 *
 * @since 0.1.0
 */
export class SandboxServer extends Context.Tag("@booster-export/sandbox/SandboxServer")<
  SandboxServer,
  RunningSandbox
>() {}

/**
 * A scoped layer: starts the sandbox when built, closes it when the scope closes.
 *
 * @since 0.1.0
 */
export const layer = (options: SandboxOptions = {}): Layer.Layer<SandboxServer> =>
  Layer.scoped(
    SandboxServer,
    Effect.acquireRelease(
      Effect.promise(() => start(options)),
      (sandbox) => Effect.promise(() => sandbox.close())
    )
  )
