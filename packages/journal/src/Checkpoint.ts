/**
 * Signed checkpoints of the audit trail, in the manner of CloudTrail's digest files: now and then
 * (`booster audit checkpoint`, or hourly from `booster-mcp --checkpoint-dir`) the journal's head —
 * its newest entry's `seq` and `hash` — is signed with Ed25519 and written as a file of its own into
 * a folder the journal's writers cannot rewrite (another machine's disk, a mounted bucket). Each
 * checkpoint also holds the time, the journal's location (no credentials), the SHA-256 of the
 * checkpoint written before it (so that removing one shows) and the signer's public key and key id.
 *
 * {@link verify} checks every checkpoint's signature and links, and that the trail still holds each
 * checkpointed head: a tail cut off (`truncated`) or a trail rewritten — even by someone able to
 * recompute every hash, such as the team database's owner — (`rewritten`) is detected.
 *
 * The signing key is per install — `checkpoint.key` beside the journal (PKCS #8 PEM, mode 0600,
 * created on first use) — or the file named by `BOOSTER_CHECKPOINT_KEY_FILE`. Keep it off the
 * database's machines. Signing and verifying use `node:crypto`'s Ed25519.
 *
 * @since 0.1.0
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify as verifySignature
} from "node:crypto"
import { constants } from "node:fs"
import { mkdir, open, readdir } from "node:fs/promises"
import { join } from "node:path"
import * as KeyFile from "@booster-export/transport/KeyFile"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Effect, Schema } from "effect"
import * as AuditTrail from "./AuditTrail.js"
import type * as Journal from "./Journal.js"

/**
 * The environment variable naming the checkpoint folder: `BOOSTER_CHECKPOINT_DIR`.
 *
 * @since 0.1.0
 */
export const ENV_DIR = "BOOSTER_CHECKPOINT_DIR"

/**
 * The environment variable naming a signing key file: `BOOSTER_CHECKPOINT_KEY_FILE`.
 *
 * @since 0.1.0
 */
export const ENV_KEY_FILE = "BOOSTER_CHECKPOINT_KEY_FILE"

/**
 * The per-install signing key's file name in the state folder: `checkpoint.key`.
 *
 * @since 0.1.0
 */
export const KEY_FILE = "checkpoint.key"

/**
 * What is signed: the head of the trail and where it came from.
 *
 * @since 0.1.0
 */
export interface Payload {
  /** The format: 1. */
  readonly version: 1
  /** The journal: a file path, or `postgres://host:port/database` (never credentials). */
  readonly journal: string
  /** The newest entry's `seq` (0 for an empty journal). */
  readonly seq: number
  /** Its `hash` (the keyed link in the team database; 64 zeros for an empty journal). */
  readonly hash: string
  /** When the checkpoint was written, ISO-8601. */
  readonly at: string
  /** The SHA-256 (hex) of the checkpoint written before it in the same folder, or `null`. */
  readonly previous: string | null
  /** The signer's key id: `ed25519:` and 32 hex digits of the SHA-256 of its public key. */
  readonly keyId: string
  /** The signer's public key: SPKI DER, base64. */
  readonly publicKey: string
}

/**
 * A checkpoint: the {@link Payload} and its Ed25519 `signature` (base64) over the payload's
 * canonical form (`AuditTrail.canonicalJson`).
 *
 * @since 0.1.0
 */
export interface Checkpoint extends Payload {
  readonly signature: string
}

/**
 * A checkpoint could not be written or its key loaded: `reason` says which (`key`: the signing key
 * file; `folder`: the checkpoint folder; `trail`: the trail failed verification, so nothing was
 * signed). The message names files, never key material.
 *
 * @since 0.1.0
 */
export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  message: Schema.String,
  reason: Schema.Literal("key", "folder", "trail"),
  path: Schema.optional(Schema.String)
}) {}

/**
 * A loaded signing key: the private and public keys, the key id and the file it came from.
 *
 * @since 0.1.0
 */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly keyId: string
  readonly path: string
}

const keyIdOf = (publicKey: KeyObject): string =>
  `ed25519:${createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 32)}`

/** A signing key from the bytes of its file (PKCS #8 PEM). */
const keyOf = (path: string, bytes: Buffer): SigningKey => {
  const privateKey = createPrivateKey(bytes)
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`the key file ${path} does not hold an Ed25519 private key`)
  }
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), path }
}

/** Reads a signing key file (a regular file, not a link, that no other user may read or write). */
const readKey = async (path: string): Promise<SigningKey> => keyOf(path, await KeyFile.readPrivate(path))

/** Creates the per-install key unless it exists (race-safe: linked into place), then reads it. */
const installKey = async (directory: string): Promise<SigningKey> =>
  keyOf(
    join(directory, KEY_FILE),
    await KeyFile.readOrCreate(directory, KEY_FILE, () =>
      generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" })
    )
  )

/**
 * The signing key: the file named by {@link ENV_KEY_FILE} when set, else the per-install
 * `checkpoint.key` of `directory` (default: the state folder for `env`), created on first use. Fails
 * with `CheckpointError` (`reason: "key"`) naming the file.
 *
 * @since 0.1.0
 */
export const loadKey = (
  options: { readonly env?: Readonly<Record<string, string | undefined>>; readonly directory?: string } = {}
): Effect.Effect<SigningKey, CheckpointError> => {
  const env = options.env ?? process.env
  const file = env[ENV_KEY_FILE]?.trim()
  const path = file || join(options.directory ?? StateDirectory.resolve(env), KEY_FILE)
  return Effect.tryPromise({
    try: () => (file ? readKey(file) : installKey(options.directory ?? StateDirectory.resolve(env))),
    catch: (error) =>
      new CheckpointError({
        reason: "key",
        path,
        message: `The checkpoint signing key ${path} cannot be used: ${error instanceof Error ? error.message : String(error)}${error instanceof KeyFile.Refused ? `. ${error.hint}` : ""}`
      })
  })
}

/**
 * The checkpoint folder of `env` (`BOOSTER_CHECKPOINT_DIR`), else `checkpoints` in the state folder.
 *
 * @since 0.1.0
 */
export const folderOf = (env: Readonly<Record<string, string | undefined>> = process.env): string =>
  env[ENV_DIR]?.trim() || join(StateDirectory.resolve(env), "checkpoints")

/**
 * The SHA-256 (hex) of a whole checkpoint (signature included): what the next one's `previous` holds.
 *
 * @since 0.1.0
 */
export const digestOf = (checkpoint: Checkpoint): string =>
  createHash("sha256").update(AuditTrail.canonicalJson(checkpoint)).digest("hex")

const signedText = (payload: Payload): Buffer => {
  const { signature: _signature, ...signed } = payload as Payload & { readonly signature?: string }
  return Buffer.from(AuditTrail.canonicalJson(signed), "utf8")
}

/**
 * Signs a payload (its `keyId` and `publicKey` are the key's).
 *
 * @since 0.1.0
 */
export const signPayload = (
  key: SigningKey,
  payload: Omit<Payload, "keyId" | "publicKey" | "version">
): Checkpoint => {
  const full: Payload = {
    version: 1,
    ...payload,
    keyId: key.keyId,
    publicKey: key.publicKey.export({ type: "spki", format: "der" }).toString("base64")
  }
  return { ...full, signature: sign(null, signedText(full), key.privateKey).toString("base64") }
}

/** True when the checkpoint's signature is valid under the public key it carries, whose id it names. */
const signatureHolds = (checkpoint: Checkpoint): boolean => {
  try {
    const publicKey = createPublicKey({
      key: Buffer.from(checkpoint.publicKey, "base64"),
      format: "der",
      type: "spki"
    })
    return (
      publicKey.asymmetricKeyType === "ed25519" &&
      keyIdOf(publicKey) === checkpoint.keyId &&
      verifySignature(null, signedText(checkpoint), publicKey, Buffer.from(checkpoint.signature, "base64"))
    )
  } catch {
    return false
  }
}

const FILE_NAME = /^checkpoint-\d+-\d+-[0-9a-f]{8}\.json$/

/** A checkpoint file as read: its name and content, or `undefined` when it cannot be read as one. */
interface Stored {
  readonly file: string
  readonly checkpoint: Checkpoint | undefined
}

const isCheckpoint = (value: unknown): value is Checkpoint => {
  if (typeof value !== "object" || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.version === 1 &&
    typeof v.journal === "string" &&
    typeof v.seq === "number" &&
    typeof v.hash === "string" &&
    typeof v.at === "string" &&
    (v.previous === null || typeof v.previous === "string") &&
    typeof v.keyId === "string" &&
    typeof v.publicKey === "string" &&
    typeof v.signature === "string"
  )
}

/** Every checkpoint file of `folder`, oldest first (by time written, then name). */
const readFolder = async (folder: string): Promise<ReadonlyArray<Stored>> => {
  const names = (await readdir(folder)).filter((name) => FILE_NAME.test(name))
  const stored = await Promise.all(
    names.map(async (file): Promise<Stored> => {
      try {
        const handle = await open(join(folder, file), constants.O_RDONLY | constants.O_NOFOLLOW)
        try {
          const value: unknown = JSON.parse(await handle.readFile("utf8"))
          return { file, checkpoint: isCheckpoint(value) ? value : undefined }
        } finally {
          await handle.close()
        }
      } catch {
        return { file, checkpoint: undefined }
      }
    })
  )
  const time = (s: Stored) => s.checkpoint?.at ?? ""
  return stored.sort((a, b) =>
    time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0
  )
}

/**
 * Signs the head `{seq, hash}` of the journal at `location` and writes it as a new file
 * `checkpoint-<seq>-<time>-<random>.json` (mode 0600, never overwriting) in `folder` (created 0700),
 * linked to the newest checkpoint already there. Fails with `CheckpointError` (`reason: "folder"`).
 *
 * @since 0.1.0
 */
export const write = (options: {
  readonly folder: string
  readonly key: SigningKey
  readonly location: string
  readonly head: { readonly seq: number; readonly hash: string } | undefined
  readonly now?: Date | undefined
}): Effect.Effect<{ readonly path: string; readonly checkpoint: Checkpoint }, CheckpointError> =>
  Effect.tryPromise({
    try: async () => {
      await mkdir(options.folder, { recursive: true, mode: 0o700 })
      const newest = (await readFolder(options.folder))
        .flatMap((stored) => (stored.checkpoint !== undefined ? [stored.checkpoint] : []))
        .at(-1)
      const now = options.now ?? new Date()
      const checkpoint = signPayload(options.key, {
        journal: options.location,
        seq: options.head?.seq ?? 0,
        hash: options.head?.hash ?? AuditTrail.GENESIS,
        at: now.toISOString(),
        previous: newest !== undefined ? digestOf(newest) : null
      })
      const path = join(
        options.folder,
        `checkpoint-${String(checkpoint.seq).padStart(12, "0")}-${now.getTime()}-${randomUUID().slice(0, 8)}.json`
      )
      const handle = await open(path, "wx", 0o600)
      try {
        await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }
      return { path, checkpoint }
    },
    catch: (error) =>
      new CheckpointError({
        reason: "folder",
        path: options.folder,
        message: `A checkpoint cannot be written in ${options.folder}: ${error instanceof Error ? error.message : String(error)}`
      })
  })

/**
 * Verifies `journal` and, when it is intact, writes a checkpoint of its head into `folder` signed
 * with `key` (see {@link write}). A broken trail is not signed: `CheckpointError` with
 * `reason: "trail"` naming the problem.
 *
 * @since 0.1.0
 */
export const take = (
  journal: Journal.Service,
  options: { readonly folder: string; readonly key: SigningKey; readonly now?: Date | undefined }
): Effect.Effect<
  { readonly path: string; readonly checkpoint: Checkpoint },
  CheckpointError | Journal.JournalError
> =>
  Effect.flatMap(journal.verify, (result) =>
    result.ok
      ? write({ ...options, location: journal.location, head: result.head })
      : Effect.fail(
          new CheckpointError({
            reason: "trail",
            message: `The audit trail at ${journal.location} is broken, so no checkpoint was signed. ${result.message}.`
          })
        )
  )

/**
 * What is wrong with a checkpoint folder, at the first problem found:
 * - `none`: the folder holds no checkpoint;
 * - `unreadable`: a checkpoint file cannot be read as one;
 * - `signature`: a signature does not hold under the key the checkpoint names;
 * - `removed`: a checkpoint links to one that is no longer there;
 * - `truncated`: the trail no longer reaches a checkpointed entry (its tail was cut off);
 * - `rewritten`: the trail's entry at a checkpointed `seq` has another hash.
 *
 * @since 0.1.0
 */
export type Problem = "none" | "unreadable" | "signature" | "removed" | "truncated" | "rewritten"

/**
 * The outcome of {@link verify}.
 *
 * @since 0.1.0
 */
export type Verification =
  | {
      readonly ok: true
      /** Checkpoints checked. */
      readonly checkpoints: number
      /** The ids of the keys that signed them. */
      readonly keyIds: ReadonlyArray<string>
      /** The newest checkpoint's head and time. */
      readonly newest: { readonly seq: number; readonly hash: string; readonly at: string }
    }
  | {
      readonly ok: false
      readonly problem: Problem
      /** The checkpoint file at fault, when there is one. */
      readonly file: string | undefined
      /** The checkpointed `seq` at fault, when there is one. */
      readonly seq: number | undefined
      /** One sentence saying what is wrong. */
      readonly message: string
    }

/**
 * Checks every checkpoint of `folder` against the trail (`records` in stored order, as
 * `Journal.Service.trail` gives them): each signature holds under the key the checkpoint carries;
 * each `previous` names a checkpoint still in the folder; and the trail holds each checkpointed head
 * (the entry numbered `seq` with that `hash`). Fails with `CheckpointError` (`reason: "folder"`)
 * when the folder cannot be read.
 *
 * @since 0.1.0
 */
export const verify = (
  folder: string,
  records: ReadonlyArray<AuditTrail.StoredRecord>
): Effect.Effect<Verification, CheckpointError> =>
  Effect.tryPromise({
    try: async (): Promise<Verification> => {
      const stored = await readFolder(folder)
      if (stored.length === 0) {
        return {
          ok: false,
          problem: "none",
          file: undefined,
          seq: undefined,
          message: `There is no checkpoint in ${folder}`
        }
      }
      const hashes = new Map<number, string>()
      let last = 0
      for (const record of records) {
        const seq = record.value?.seq
        const hash = record.value?.hash
        if (typeof seq === "number" && typeof hash === "string") {
          hashes.set(seq, hash)
          last = Math.max(last, seq)
        }
      }
      const digests = new Set<string>()
      for (const { checkpoint } of stored) if (checkpoint !== undefined) digests.add(digestOf(checkpoint))
      for (const { file, checkpoint } of stored) {
        const fail = (problem: Problem, seq: number | undefined, message: string): Verification => ({
          ok: false,
          problem,
          file,
          seq,
          message
        })
        if (checkpoint === undefined)
          return fail("unreadable", undefined, `The checkpoint ${file} cannot be read`)
        const { seq } = checkpoint
        if (!signatureHolds(checkpoint)) {
          return fail("signature", seq, `The signature of checkpoint ${file} (entry ${seq}) does not hold`)
        }
        if (checkpoint.previous !== null && !digests.has(checkpoint.previous)) {
          return fail("removed", seq, `The checkpoint written before ${file} was removed from ${folder}`)
        }
        if (seq === 0) continue
        const hash = hashes.get(seq)
        if (hash === undefined) {
          return fail(
            seq > last ? "truncated" : "rewritten",
            seq,
            seq > last
              ? `The trail ends at entry ${last}, but checkpoint ${file} signed entry ${seq} at ${checkpoint.at}: entries were removed from its end`
              : `The trail has no entry ${seq}, which checkpoint ${file} signed at ${checkpoint.at}: it was rewritten`
          )
        }
        if (hash !== checkpoint.hash) {
          return fail(
            "rewritten",
            seq,
            `Entry ${seq} is not the one checkpoint ${file} signed at ${checkpoint.at}: the trail was rewritten up to it`
          )
        }
      }
      const newest = stored.at(-1)!.checkpoint!
      return {
        ok: true,
        checkpoints: stored.length,
        keyIds: [...new Set(stored.map((s) => s.checkpoint!.keyId))],
        newest: { seq: newest.seq, hash: newest.hash, at: newest.at }
      }
    },
    catch: (error) =>
      new CheckpointError({
        reason: "folder",
        path: folder,
        message: `The checkpoints in ${folder} cannot be read: ${error instanceof Error ? error.message : String(error)}`
      })
  })
