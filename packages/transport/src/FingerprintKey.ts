/**
 * The secret key fingerprints are computed under (see `@booster-export/core`'s `Fingerprint`).
 *
 * By default the key is per install: 32 random bytes in `fingerprint.key` in the state folder
 * (`StateDirectory`: `$XDG_STATE_HOME/booster-export/`, beside the local journal; folder mode 0700,
 * file mode 0600), created on first use and shared by `booster` and `booster-mcp` on the same machine. Creation is race-safe: the bytes are
 * written to a private temporary file that is then linked into place exclusively, so two processes
 * creating the key at once both end up with the one that won, and nobody ever reads a half-written
 * key. A team that wants the same fingerprints on several machines points
 * `BOOSTER_FINGERPRINT_KEY_FILE` at a shared key file (at least 32 bytes, readable by its owner
 * only, taken byte for byte). The key's bytes are never printed: errors name the file and the rule.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Fingerprint } from "@booster-export/core"
import { Context, Effect, Layer } from "effect"
import { InvalidConfigError } from "./BoosterError.js"
import * as KeyFile from "./KeyFile.js"
import * as StateDirectory from "./StateDirectory.js"

/**
 * The environment variable naming a shared key file: `BOOSTER_FINGERPRINT_KEY_FILE`.
 *
 * @since 0.1.0
 */
export const ENV_VAR = "BOOSTER_FINGERPRINT_KEY_FILE"

/**
 * The name of the per-install key file in the state folder: `fingerprint.key`.
 *
 * @since 0.1.0
 */
export const FILE = "fingerprint.key"

/**
 * A loaded key: the key, the file it came from, and whether that file is the per-install one
 * (`"install"`) or a file named by {@link ENV_VAR} or given in code (`"file"`).
 *
 * @since 0.1.0
 */
export interface Loaded {
  readonly key: Fingerprint.Key
  readonly path: string
  readonly origin: "install" | "file"
}

/**
 * The fingerprint key of a program: `get` loads it (creating the per-install key if needed) on first
 * use and keeps it, so that a program that never fingerprints never touches the file.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly get: Effect.Effect<Loaded, InvalidConfigError>
}

/**
 * The fingerprint key service.
 *
 * @since 0.1.0
 */
export class FingerprintKey extends Context.Tag("@booster-export/transport/FingerprintKey")<
  FingerprintKey,
  Service
>() {}

/**
 * The key of the {@link FingerprintKey} service in the context.
 *
 * @since 0.1.0
 */
export const key: Effect.Effect<Fingerprint.Key, InvalidConfigError, FingerprintKey> = Effect.flatMap(
  FingerprintKey,
  (service) => Effect.map(service.get, (loaded) => loaded.key)
)

type Env = Readonly<Record<string, string | undefined>>

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"
    ? (error as { code: string }).code
    : "error"

/** Checks the length of a key read with `KeyFile.readPrivate`. */
const checkLength = (path: string, bytes: Uint8Array): Uint8Array => {
  if (bytes.length < Fingerprint.KEY_BYTES) {
    throw new KeyFile.Refused(
      `the key file ${path} is too short: a key needs at least ${Fingerprint.KEY_BYTES} bytes`,
      `Fill it with random bytes, e.g. head -c ${Fingerprint.KEY_BYTES} /dev/urandom > ${path}`
    )
  }
  return bytes
}

/** Reads a key file, refusing one that others may read or that is too short. */
const readKey = async (path: string): Promise<Uint8Array> =>
  checkLength(path, new Uint8Array(await KeyFile.readPrivate(path)))

/** Creates the per-install key unless it exists, then reads whichever key won. */
const installKey = async (directory: string): Promise<Uint8Array> =>
  checkLength(
    join(directory, FILE),
    new Uint8Array(await KeyFile.readOrCreate(directory, FILE, () => randomBytes(Fingerprint.KEY_BYTES)))
  )

const failure = (field: string, what: string, path: string) => (error: unknown) =>
  error instanceof KeyFile.Refused
    ? new InvalidConfigError({ field, message: `${field}: ${error.message}`, hint: error.hint })
    : new InvalidConfigError({
        field,
        path,
        code: codeOf(error),
        message: `${what} (${error instanceof Error && error.message.startsWith(codeOf(error)) ? error.message : codeOf(error)})`,
        hint:
          field === ENV_VAR
            ? `Check ${ENV_VAR}: the path of a key file of at least ${Fingerprint.KEY_BYTES} bytes, mode 0600.`
            : `Make the folder writable by this user, or set ${ENV_VAR} to a key file.`
      })

/**
 * Reads a shared key file: a regular file of at least {@link Fingerprint.KEY_BYTES} bytes that no
 * other user may read or write. Fails with `InvalidConfigError` naming {@link ENV_VAR} and the path
 * (never the content).
 *
 * @since 0.1.0
 */
export const fromFile = (path: string): Effect.Effect<Loaded, InvalidConfigError> =>
  Effect.tryPromise({
    try: async () => ({ key: Fingerprint.key(await readKey(path)), path, origin: "file" as const }),
    catch: failure(ENV_VAR, `${ENV_VAR}: the key file ${path} cannot be read`, path)
  })

/**
 * The per-install key of `directory` (default: the state folder, `StateDirectory.resolve()`), created
 * with 32 random bytes on first use. Fails with `InvalidConfigError` when the folder cannot hold it
 * (naming the path and the system's error; `path` and `code` set) or an existing key file is refused.
 *
 * @since 0.1.0
 */
export const forInstall = (
  directory: string = StateDirectory.resolve()
): Effect.Effect<Loaded, InvalidConfigError> =>
  Effect.tryPromise({
    try: async () => ({
      key: Fingerprint.key(await installKey(directory)),
      path: join(directory, FILE),
      origin: "install" as const
    }),
    catch: failure(
      "XDG_STATE_HOME",
      `The fingerprint key cannot be created or read at ${join(directory, FILE)}`,
      join(directory, FILE)
    )
  })

/**
 * The key to use: the file named by {@link ENV_VAR} when it is set, else the per-install key of
 * `directory` (default: the state folder for `env`, `StateDirectory.resolve(env)`).
 *
 * @since 0.1.0
 */
export const load = (
  options: { readonly env?: Env; readonly directory?: string } = {}
): Effect.Effect<Loaded, InvalidConfigError> => {
  const env = options.env ?? process.env
  const file = env[ENV_VAR]?.trim()
  return file ? fromFile(file) : forInstall(options.directory ?? StateDirectory.resolve(env))
}

/**
 * The service loading the key as {@link load} does, on first use (a failure is kept too).
 *
 * @since 0.1.0
 */
export const make = (
  options: { readonly env?: Env; readonly directory?: string } = {}
): Effect.Effect<Service> => Effect.map(Effect.cached(load(options)), (get) => ({ get }))

/**
 * A layer of {@link make}.
 *
 * @since 0.1.0
 */
export const layer = (
  options: { readonly env?: Env; readonly directory?: string } = {}
): Layer.Layer<FingerprintKey> => Layer.effect(FingerprintKey, make(options))

/**
 * A layer with a key given in code (e.g. one a program already holds, or a fixed one in tests).
 *
 * @since 0.1.0
 */
export const layerKey = (key: Fingerprint.Key, path = "(given)"): Layer.Layer<FingerprintKey> =>
  Layer.succeed(FingerprintKey, { get: Effect.succeed<Loaded>({ key, path, origin: "file" }) })
