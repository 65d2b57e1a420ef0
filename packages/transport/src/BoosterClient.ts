/**
 * The Booster client as an Effect service: start an export (never twice by accident), read and list
 * tasks, follow a task to completion as a stream of progress, and download its file atomically.
 *
 * @since 0.1.0
 */

import type { ApiMetadata, ExportKind, Task } from "@booster-export/core"
import * as HttpClient from "@effect/platform/HttpClient"
import { type ConfigError, Context, Effect, Either, Layer, type Scope, type Stream } from "effect"
import * as BoosterConfig from "./BoosterConfig.js"
import type * as BoosterError from "./BoosterError.js"
import * as FingerprintKey from "./FingerprintKey.js"
import * as Api from "./internal/api.js"
import * as Download from "./internal/download.js"
import * as Follow from "./internal/follow.js"
import * as Http from "./internal/http.js"
import * as Log from "./internal/log.js"
import * as Request from "./internal/request.js"
import * as Start from "./internal/start.js"
import * as UndiciSend from "./internal/undiciSend.js"

/**
 * What `startExport` answers: the task created, the `downloadRequestId` sent (generated when not
 * given) and the filter's fingerprint. `reconciled` is true when the request's answer was lost and
 * the task was found by listing tasks instead (see the README's duplicate-safety table);
 * `reconciliation` then says how it was matched.
 *
 * @category models
 * @since 0.1.0
 */
export interface Started {
  readonly asyncTaskId: string
  readonly downloadRequestId: string
  readonly fingerprint: string
  readonly reconciled: boolean
  /** How the task was found when `reconciled`; absent otherwise. */
  readonly reconciliation?: Reconciliation | undefined
}

/**
 * How a start whose answer was lost found its task in the task list.
 *
 * - `task-type`: the only task of the kind's task type (`crm`, `stock`, `sellout`) and brand created
 *   since the request was sent, not known to be another export.
 * - `time-window`: the kind's task type is unknown (movements, invoices, orders), so the task was
 *   matched by brand and time window only: the only task created since the request was sent that
 *   is not known to be another export (this client's, the `exclude` list's, another kind's type or
 *   an import). With more than one such task, nothing is picked: the start fails with
 *   `OutcomeUnknownError` naming them all.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reconciliation {
  readonly by: "task-type" | "time-window"
  /** How many tasks were candidates (1 when a task was adopted). */
  readonly candidates: number
}

/**
 * What `dryRun` answers: the request that would be sent, with secrets shown as `<redacted>`.
 *
 * @category models
 * @since 0.1.0
 */
export type DryRun = Request.DryRun

/**
 * One observation of a task while following it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Progress {
  readonly asyncTaskId: string
  readonly status: string
  readonly statusKind: Task.StatusKind
  readonly percentage: number
  readonly totalResults?: number
  readonly totalSucceeded?: number
  readonly totalFailed?: number
  readonly task: Task.Task
}

/**
 * What `download` answers: where the file is, its size in bytes, its SHA-256 (hex) and the content
 * type the server gave.
 *
 * @category models
 * @since 0.1.0
 */
export type Downloaded = Download.Downloaded

/**
 * An export kind as the operations take it: its value (`ExportKind.Stock`, or a kind of your own)
 * or its command-line name (`"stock"`). See `ExportKind` in `@booster-export/core`.
 *
 * @category kinds
 * @since 0.1.0
 */
export type Kind = ExportKind.Name | ExportKind.Any

/** The same object type written out field by field, so editors and compiler errors show the fields. */
type Simplify<T> = { [Key in keyof T]: T[Key] } & {}

/** True when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false

/**
 * The input of `startExport` and `dryRun` for kind `K` (customers by default): the kind's filter
 * (`brand`, `posCodes`, …), optionally with your own `downloadRequestId`. A misspelt field or a
 * value of the wrong type does not compile; the input is validated at run time as well. For a kind
 * known only at run time (`ExportKind.Any`, e.g. from `ExportKind.byName(text)`) it is `unknown`.
 *
 * @category models
 * @since 0.1.0
 */
export type ExportInput<K extends Kind = "customers"> =
  IsAny<ExportKind.FilterOf<K>> extends true
    ? unknown
    : Simplify<ExportKind.FilterOf<K> & { readonly downloadRequestId?: string | undefined }>

/**
 * Options of `startExport` and `dryRun`: `downloadRequestId`, the id to send (default: the
 * input's, else a fresh UUID), and `exclude`, task ids known to be other exports (e.g. those a
 * journal recorded), never adopted when a start whose answer was lost is reconciled. The kind is
 * the call's first argument.
 *
 * @category options
 * @since 0.1.0
 */
export type StartOptions = Request.StartOptions

/**
 * Options of `followTask`; each defaults to the client's configuration.
 *
 * @category options
 * @since 0.1.0
 */
export interface FollowOptions {
  readonly pollInitialMs?: number | undefined
  readonly pollMaxMs?: number | undefined
  readonly timeoutMs?: number | undefined
}

/**
 * Options of `download`.
 *
 * @category options
 * @since 0.1.0
 */
export interface DownloadOptions {
  /** Replace an existing file at the destination. Default false. */
  readonly overwrite?: boolean | undefined
}

/**
 * What `startExport` can fail with: the input broke the filter's rules (`ValidationError`, nothing
 * sent), the fingerprint key could not be loaded (`InvalidConfigError`, nothing sent), the request
 * may or may not have created a task (`OutcomeUnknownError`), or the request failed.
 */
type StartError =
  | BoosterError.ValidationError
  | BoosterError.InvalidConfigError
  | BoosterError.OutcomeUnknownError
  | BoosterError.RequestError

/**
 * The operations of the client. Each one's error channel lists only the errors it can raise.
 *
 * @category models
 * @since 0.1.0
 */
export interface Service {
  /**
   * Validates `input` (a filter of `kind`, customers when no kind is given; `downloadRequestId`
   * optional) and starts the export. The same `downloadRequestId` goes with every attempt; an
   * ambiguous failure is reconciled against the task list before any retry (see
   * {@link Reconciliation}), and fails with `OutcomeUnknownError` when it cannot be settled.
   *
   * ```ts
   * client.startExport({ brand: "CAR", posCodes: ["IT100"] })   // customers
   * client.startExport("stock", { brand: "CAR", articleCodes: ["A1"] })
   * ```
   */
  readonly startExport: {
    <K extends Kind>(
      kind: K,
      input: ExportInput<K>,
      options?: StartOptions
    ): Effect.Effect<Started, StartError>
    (input: ExportInput, options?: StartOptions): Effect.Effect<Started, StartError>
  }
  /**
   * The request `startExport` would send (with the same arguments); sends nothing. Fails with
   * `InvalidConfigError` only when no fingerprint key was given and the default one cannot be loaded.
   */
  readonly dryRun: {
    <K extends Kind>(
      kind: K,
      input: ExportInput<K>,
      options?: StartOptions
    ): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError>
    (
      input: ExportInput,
      options?: StartOptions
    ): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError>
  }
  /**
   * Reads one task (`GET /tasks/{id}`); the id may be given with or without dashes. An id that is
   * not a Guid fails with `NotFoundError`, nothing sent.
   */
  readonly getTask: (id: string) => Effect.Effect<Task.Task, BoosterError.RequestError>
  /** Lists the tasks the credentials can read (`GET /tasks`). */
  readonly listTasks: () => Effect.Effect<ReadonlyArray<Task.Task>, BoosterError.RequestError>
  /**
   * Reads the API's contract, ServiceStack's `GET /types/metadata`, through the same cap
   * (`maxResponseBytes`), deadline (`timeoutMs`) and retry policy as every API answer; compare it
   * with core's model with `ApiMetadata.compare`. Fails with `ServerError` when the answer is too
   * large, is not a `MetadataTypes` document, or nests a type name deeper than
   * `ApiMetadata.MAX_TYPE_DEPTH` levels. The document's text is as the API wrote it: clean it
   * before showing it.
   */
  readonly apiMetadata: () => Effect.Effect<ApiMetadata.MetadataTypes, BoosterError.RequestError>
  /**
   * Polls a task, emitting a {@link Progress} whenever it changes; ends after COM, fails with
   * `ExportFailedError` at ERR and with `TransportError` (`timeout`) when the follow time runs out.
   */
  readonly followTask: (
    id: string,
    options?: FollowOptions
  ) => Stream.Stream<Progress, BoosterError.ExportFailedError | BoosterError.RequestError>
  /**
   * Downloads a completed task's file to `destination` (a file path, or an existing folder). The
   * file appears only when complete and of the announced length; no API credential or header is
   * sent to the download URL; an expired or refused URL is refreshed once by re-reading the task.
   */
  readonly download: (
    taskOrId: Task.Task | string,
    destination: string,
    options?: DownloadOptions
  ) => Effect.Effect<Downloaded, BoosterError.DownloadError | BoosterError.RequestError>
}

/**
 * Builds the client from resolved options over an `HttpClient`. The parts live in their own
 * modules: the credentials (`internal/auth`), the URL policy (`UrlPolicy`), the requests
 * to the API (`internal/api`), starting exports (`internal/start`), following tasks
 * (`internal/follow`) and downloads (`internal/download`); this composes them.
 *
 * @since 0.1.0
 */
export const makeWith = (
  config: BoosterConfig.Resolved
): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => makeOver(config, client, undefined))

/** The client over `client`; API requests through `send` when given, else through `client`. */
const makeOver = (
  config: BoosterConfig.Resolved,
  client: HttpClient.HttpClient,
  send: Http.Send | undefined
): Effect.Effect<Service> =>
  Effect.gen(function* () {
    const http = HttpClient.transformResponse(client, (response) => Effect.withTracerEnabled(response, false))
    const api = yield* Api.make(config, http, send ?? Http.sendWith(http))
    const fingerprintKey =
      config.fingerprintKey !== undefined
        ? Effect.succeed(config.fingerprintKey)
        : yield* Effect.cached(Effect.map(FingerprintKey.load(), (loaded) => loaded.key))
    const start = Start.make(api, fingerprintKey)
    const withLogLevel = Log.withLogLevel(config)
    const download = Download.downloadTask(api)
    const getTask = (id: string) => withLogLevel(api.getTask(id))
    return {
      startExport: (...args: ReadonlyArray<unknown>) =>
        Either.match(Request.readCall(args), {
          onLeft: Effect.fail,
          onRight: ({ kind, input, rest: [options] }) =>
            withLogLevel(start.startExport(kind, input, options as StartOptions | undefined))
        }),
      dryRun: (...args: ReadonlyArray<unknown>) =>
        Either.match(Request.readCall(args), {
          onLeft: Effect.fail,
          onRight: ({ kind, input, rest: [options] }) =>
            start.dryRun(kind, input, options as StartOptions | undefined)
        }),
      getTask,
      listTasks: () => withLogLevel(api.listTasks()),
      apiMetadata: () => withLogLevel(api.apiMetadata()),
      followTask: Follow.followTask({ ...api, getTask }),
      download: (taskOrId, destination, options) => withLogLevel(download(taskOrId, destination, options))
    }
  })

/**
 * Builds the client from options over an `HttpClient`, failing with `InvalidConfigError` for
 * unusable options.
 *
 * @since 0.1.0
 */
export const make = (
  options: BoosterConfig.Options
): Effect.Effect<Service, BoosterError.InvalidConfigError, HttpClient.HttpClient> =>
  Effect.flatMap(BoosterConfig.resolve(options), makeWith)

/**
 * An `HttpClient` over undici (Node's own `fetch` engine) with a dispatcher of its own and
 * keep-alive connections, for programs that make requests of their own beside the client. undici
 * is loaded when the layer is first built, not when this module is imported: it is the largest part
 * of the client, and a program importing the package should not pay for it before it makes a
 * request.
 *
 * @since 0.1.0
 */
export const httpLayer: Layer.Layer<HttpClient.HttpClient> = Layer.unwrapEffect(
  Effect.map(
    Effect.promise(() => import("./internal/undici.js")),
    (module) => module.layerUndici
  )
)

/**
 * The client over a connection pool of its own (undici, loaded on first use), closed with the
 * layer: API requests go straight to the pool, the OAuth2 token endpoint through `HttpClient`.
 */
const makeDefault = (config: BoosterConfig.Resolved): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const undici = yield* Effect.promise(() => import("./internal/undici.js"))
    const dispatcher = yield* undici.makeDispatcher
    return yield* makeOver(config, undici.makeUndici(dispatcher), UndiciSend.sendWith(dispatcher))
  })

/**
 * The client service.
 *
 * @category tags
 * @since 0.1.0
 */
export class BoosterClient extends Context.Tag("@booster-export/transport/BoosterClient")<
  BoosterClient,
  Service
>() {
  /** @deprecated Use the module's {@link layer}: `BoosterClient.layer(options)`. */
  static layer(options: BoosterConfig.Options): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError> {
    return layer(options)
  }
  /** @deprecated Use the module's {@link layerConfig}: `BoosterClient.layerConfig`. */
  static get layerConfig(): Layer.Layer<
    BoosterClient,
    BoosterError.InvalidConfigError | ConfigError.ConfigError
  > {
    return layerConfig
  }
  /** @deprecated Use the module's {@link layerWith}: `BoosterClient.layerWith(options)`. */
  static layerWith(
    options: BoosterConfig.Options
  ): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError, HttpClient.HttpClient> {
    return layerWith(options)
  }
}

/**
 * The client from options, with a connection pool of its own (undici, keep-alive), closed with the
 * layer. API requests go straight to the pool, without `HttpClient` in between: measured 0.6x the
 * time of plain `fetch` per start and get. Fails with `InvalidConfigError` for unusable options.
 *
 * ```ts
 * Effect.provide(program, BoosterClient.layer({ baseUrl, auth: Auth.bearer(key) }))
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  options: BoosterConfig.Options
): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError> =>
  Layer.scoped(BoosterClient, Effect.flatMap(BoosterConfig.resolve(options), makeDefault))

/**
 * The client from the environment (`BOOSTER_BASE_URL`, `BOOSTER_API_KEY`, …; see
 * `BoosterConfig.config`), as {@link layer}.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<
  BoosterClient,
  BoosterError.InvalidConfigError | ConfigError.ConfigError
> = Layer.scoped(
  BoosterClient,
  Effect.flatMap(BoosterConfig.config, (options) =>
    Effect.flatMap(BoosterConfig.resolve(options), makeDefault)
  )
)

/**
 * The client from options over an `HttpClient` provided by the caller (every request goes through
 * it).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (
  options: BoosterConfig.Options
): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError, HttpClient.HttpClient> =>
  Layer.effect(BoosterClient, make(options))
