/**
 * Where a scheduled run delivers its file, chosen by the URI's scheme. Every destination writes
 * **create-only** (an existing object is never replaced), makes the file appear only when complete,
 * and verifies it after writing (size and SHA-256). Delivering again a file that is already there
 * with the same size and checksum (a run resumed after a crash) is not an error; a different file
 * under the same name is.
 *
 * - `file:///folder/`: the folder is created with mode `0700`, files with mode `0600`.
 * - `sftp://user@host:port/path/`: over SSH (`ssh2`), with a key from a file or the agent (never a
 *   password), the host key checked against a known-hosts file; folders `0700`, files `0600`.
 * - `s3://bucket/prefix/?endpoint=…&region=…&sse=…`: any S3-compatible store (AWS SDK v3), credentials
 *   from the SDK's chain (environment, shared files, profiles), the endpoint https (plain http to
 *   loopback only), create-only through `If-None-Match: *`, server-side encryption when asked.
 *
 * Credentials never appear in a URI: {@link parse} refuses a URI with a password.
 *
 * @since 0.1.0
 */
import { createHash, randomBytes } from "node:crypto"
import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, isAbsolute, join, normalize, posix } from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Data, Effect, Either, Layer } from "effect"
import * as S3 from "./internal/s3.js"
import * as Sftp from "./internal/sftp.js"

/**
 * A destination could not be used or refused the file. `reason`: `"invalid"` (the URI), `"exists"`
 * (a different file is already there under that name), `"verify"` (what was written does not match),
 * `"unreachable"` or `"denied"` (the destination or its permissions), `"io"` (anything else).
 *
 * @since 0.1.0
 */
export class DestinationError extends Data.TaggedError("DestinationError")<{
  readonly reason: "invalid" | "exists" | "verify" | "unreachable" | "denied" | "io"
  readonly message: string
}> {}

/**
 * What a file to deliver is: its local path, size in bytes and SHA-256 (lower-case hex).
 *
 * @since 0.1.0
 */
export interface LocalFile {
  readonly path: string
  readonly bytes: number
  readonly sha256: string
}

/**
 * A delivered file: where (the destination's URI of it, without credentials), and whether it was
 * already there (same size and checksum) from an earlier attempt.
 *
 * @since 0.1.0
 */
export interface Delivered {
  readonly location: string
  readonly bytes: number
  readonly sha256: string
  readonly alreadyThere: boolean
}

/**
 * One destination.
 *
 * @since 0.1.0
 */
export interface Destination {
  /** The URI, without credentials (safe to show and record). */
  readonly uri: string
  /** Writes `file` create-only under `name` (a relative `a/b/c.csv`) and verifies it. */
  readonly deliver: (name: string, file: LocalFile) => Effect.Effect<Delivered, DestinationError>
  /**
   * Checks that the destination is reachable and writable (for `booster doctor`), writing nothing
   * lasting: a folder that exists, is writable and is closed to others (`0700`); an SFTP server
   * whose host key is known, with a writable folder; a bucket reachable with the credentials, its
   * prefix listable.
   */
  readonly check: Effect.Effect<string, DestinationError>
}

/**
 * Opens a destination from its URI.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly open: (uri: string) => Effect.Effect<Destination, DestinationError>
}

/**
 * The destination service.
 *
 * @since 0.1.0
 */
export class Destinations extends Context.Tag("@booster-export/schedule/Destinations")<
  Destinations,
  Service
>() {}

/**
 * The schemes this version delivers to.
 *
 * @since 0.1.0
 */
export const SCHEMES: ReadonlyArray<string> = ["file", "sftp", "s3"]

/**
 * Where each destination's credentials come from (never from the URI).
 *
 * @since 0.1.0
 */
export interface Options {
  /** SFTP: the private key file, the agent, the known-hosts file. */
  readonly sftp: Sftp.SftpOptions
}

/**
 * The options from the environment: `BOOSTER_SFTP_KEY_FILE` (a private key, mode 0600), else the
 * agent of `SSH_AUTH_SOCK`; `BOOSTER_SFTP_KNOWN_HOSTS` (default `~/.ssh/known_hosts`).
 *
 * @since 0.1.0
 */
export const optionsFromEnv = (env: NodeJS.ProcessEnv = process.env): Options => ({
  sftp: {
    privateKeyFile: env.BOOSTER_SFTP_KEY_FILE?.trim() || undefined,
    agent: env.SSH_AUTH_SOCK?.trim() || undefined,
    knownHostsFile:
      env.BOOSTER_SFTP_KNOWN_HOSTS?.trim() || join(env.HOME?.trim() || homedir(), ".ssh", "known_hosts")
  }
})

const invalid = (message: string) => new DestinationError({ reason: "invalid", message })

/**
 * Parses and checks a destination URI: a known scheme, no password, for `file:` an absolute local
 * path. Answers the URI as it will be stored.
 *
 * @since 0.1.0
 */
export const parse = (uri: string): Effect.Effect<URL, DestinationError> =>
  Effect.suspend(() => {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      return Effect.fail(
        invalid("The destination is not a URI (file:///folder/, sftp://user@host/path, s3://bucket/prefix)")
      )
    }
    const scheme = url.protocol.replace(/:$/, "")
    if (!SCHEMES.includes(scheme)) {
      return Effect.fail(
        invalid(
          `Destinations of the scheme ${JSON.stringify(scheme)} are not supported (${SCHEMES.join(", ")})`
        )
      )
    }
    if (url.password !== "") {
      return Effect.fail(
        invalid(
          "A destination URI must not hold a password: give credentials through keys, an agent, a profile or the environment"
        )
      )
    }
    if (scheme === "file" && url.host !== "" && url.host !== "localhost") {
      return Effect.fail(invalid("A file: destination must be a local folder (file:///absolute/path/)"))
    }
    return Effect.succeed(url)
  })

/** A delivery name checked: relative, no `..`, no empty segment. */
const checkName = (name: string): Effect.Effect<string, DestinationError> =>
  name.split("/").every((part) => part !== "" && part !== "." && part !== "..") && !isAbsolute(name)
    ? Effect.succeed(name)
    : Effect.fail(invalid("The file name under the destination must be relative, without '..'"))

/**
 * The size and SHA-256 of a file, read through.
 *
 * @since 0.1.0
 */
export const checksum = (
  path: string
): Effect.Effect<{ readonly bytes: number; readonly sha256: string }, DestinationError> =>
  Effect.async((resume) => {
    const hash = createHash("sha256")
    let bytes = 0
    const stream = createReadStream(path)
    stream.on("data", (chunk) => {
      bytes += chunk.length
      hash.update(chunk)
    })
    stream.on("error", () =>
      resume(
        Effect.fail(
          new DestinationError({ reason: "io", message: "A delivered file could not be read back" })
        )
      )
    )
    stream.on("end", () => resume(Effect.succeed({ bytes, sha256: hash.digest("hex") })))
    return Effect.sync(() => stream.destroy())
  })

/** Compares what is at a destination with the file; fails with `verify` or `exists` when different. */
export const compare = (
  found: { readonly bytes: number; readonly sha256: string },
  file: LocalFile,
  reason: "verify" | "exists",
  where: string
): Effect.Effect<void, DestinationError> =>
  found.bytes === file.bytes && found.sha256 === file.sha256
    ? Effect.void
    : Effect.fail(
        new DestinationError({
          reason,
          message:
            reason === "exists"
              ? `A different file is already at ${where}; it is left as it is`
              : `The file written to ${where} does not match what was sent (size or SHA-256)`
        })
      )

const ioError = (error: unknown, what: string): DestinationError => {
  const code = (error as { code?: string }).code
  return new DestinationError({
    reason: code === "EACCES" || code === "EPERM" || code === "EROFS" ? "denied" : "io",
    message: `${what} (${code ?? "error"})`
  })
}

/**
 * A `file:` destination: the folder (and each folder under it) created with mode `0700`; the file
 * written beside its final name as a hidden part file with mode `0600`, then linked to its name
 * (which fails when the name exists: create-only), the part file removed, and the file read back.
 *
 * @since 0.1.0
 */
export const file = (url: URL): Destination => {
  const root = normalize(fileURLToPath(url))
  const uri = url.href
  const deliver = (name: string, local: LocalFile) =>
    Effect.gen(function* () {
      const relative = yield* checkName(name)
      const target = join(root, ...relative.split("/"))
      const location = new URL(relative, uri.endsWith("/") ? uri : `${uri}/`).href
      yield* Effect.tryPromise({
        try: () => fs.mkdir(dirname(target), { recursive: true, mode: 0o700 }),
        catch: (error) => ioError(error, `The folder of ${location} cannot be created`)
      })
      const part = join(dirname(target), `.${randomBytes(8).toString("hex")}.part`)
      const linked = yield* Effect.tryPromise({
        try: async () => {
          try {
            await fs.copyFile(local.path, part)
            await fs.chmod(part, 0o600)
            const handle = await fs.open(part, "r")
            await handle.sync().finally(() => handle.close())
            await fs.link(part, target)
            return true
          } catch (error) {
            if ((error as { code?: string }).code === "EEXIST") return false
            throw error
          } finally {
            await fs.rm(part, { force: true })
          }
        },
        catch: (error) => ioError(error, `The file ${location} cannot be written`)
      })
      const found = yield* checksum(target)
      yield* compare(found, local, linked ? "verify" : "exists", location)
      return { location, bytes: found.bytes, sha256: found.sha256, alreadyThere: !linked }
    })
  const check = Effect.gen(function* () {
    const stat = yield* Effect.tryPromise({
      try: () => fs.stat(root),
      catch: (error) =>
        (error as { code?: string }).code === "ENOENT"
          ? new DestinationError({
              reason: "unreachable",
              message: `The folder ${uri} does not exist (a run would create it)`
            })
          : ioError(error, `The folder ${uri} cannot be read`)
    })
    if (!stat.isDirectory()) {
      return yield* new DestinationError({ reason: "io", message: `${uri} is not a folder` })
    }
    const probe = join(root, `.${randomBytes(8).toString("hex")}.probe`)
    yield* Effect.tryPromise({
      try: async () => {
        await fs.writeFile(probe, "", { mode: 0o600, flag: "wx" })
        await fs.rm(probe, { force: true })
      },
      catch: (error) => ioError(error, `The folder ${uri} is not writable`)
    })
    if ((stat.mode & 0o077) !== 0) {
      return yield* new DestinationError({
        reason: "denied",
        message: `The folder ${uri} is writable, but open to others than you (mode 0${(stat.mode & 0o777).toString(8)})`
      })
    }
    return `${uri} is writable (mode 0700)`
  })
  return { uri, deliver, check }
}

const fromSftp = (error: Sftp.SftpFailure) => new DestinationError(error)

/**
 * An `sftp:` destination (see the module's description): the URI's path is the folder, the user
 * name the SSH user.
 *
 * @since 0.1.0
 */
export const sftp = (url: URL, options: Sftp.SftpOptions): Destination => {
  const uri = url.href
  const folder = decodeURIComponent(url.pathname) || "/"
  const deliver = (name: string, local: LocalFile) =>
    Effect.gen(function* () {
      const relative = yield* checkName(name)
      const location = new URL(relative, uri.endsWith("/") ? uri : `${uri}/`).href
      const { found, written } = yield* Sftp.withSftp(url, options, (session) =>
        Sftp.upload(session, local.path, posix.join(folder, relative))
      ).pipe(Effect.mapError(fromSftp))
      yield* compare(found, local, written ? "verify" : "exists", location)
      return { location, bytes: found.bytes, sha256: found.sha256, alreadyThere: !written }
    })
  const check = Sftp.withSftp(url, options, (session) => Sftp.probe(session, folder)).pipe(
    Effect.mapError(fromSftp),
    Effect.as(`${uri} is reachable, its host key known, and writable`)
  )
  return { uri, deliver, check }
}

/**
 * An `s3:` destination (see the module's description).
 *
 * @since 0.1.0
 */
export const s3 = (url: URL): Effect.Effect<Destination, DestinationError> =>
  Either.match(S3.target(url), {
    onLeft: (error) => Effect.fail(new DestinationError(error)),
    onRight: (target) => {
      const uri = url.href
      const deliver = (name: string, local: LocalFile) =>
        Effect.gen(function* () {
          const relative = yield* checkName(name)
          const location = `s3://${target.bucket}/${S3.keyOf(target, relative)}`
          const { found, written } = yield* S3.upload(target, relative, local).pipe(
            Effect.mapError((error) => new DestinationError(error))
          )
          yield* compare(found, local, written ? "verify" : "exists", location)
          return { location, bytes: found.bytes, sha256: found.sha256, alreadyThere: !written }
        })
      const check = S3.probe(target).pipe(
        Effect.mapError((error) => new DestinationError(error)),
        Effect.as(`the bucket ${target.bucket} is reachable and its prefix listable with the credentials`)
      )
      return Effect.succeed({ uri, deliver, check })
    }
  })

/**
 * Opens a destination by scheme, with the credentials of `options`.
 *
 * @since 0.1.0
 */
export const openWith =
  (options: Options) =>
  (uri: string): Effect.Effect<Destination, DestinationError> =>
    Effect.flatMap(parse(uri), (url) => {
      if (url.protocol === "sftp:") {
        if (url.username === "" || url.hostname === "") {
          return Effect.fail(
            invalid("An sftp: destination needs a user and a host (sftp://user@host:port/path/)")
          )
        }
        return Effect.succeed(sftp(url, options.sftp))
      }
      if (url.protocol === "s3:") return s3(url)
      return Effect.succeed(file(url))
    })

/**
 * Opens a destination by scheme, with the credentials of the environment ({@link optionsFromEnv}).
 *
 * @since 0.1.0
 */
export const open = (uri: string): Effect.Effect<Destination, DestinationError> =>
  Effect.suspend(() => openWith(optionsFromEnv())(uri))

/**
 * The destinations, with the credentials of the environment.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Destinations> = Layer.succeed(Destinations, { open })

/**
 * The destinations, with the given credentials.
 *
 * @since 0.1.0
 */
export const layerWith = (options: Options): Layer.Layer<Destinations> =>
  Layer.succeed(Destinations, { open: openWith(options) })
