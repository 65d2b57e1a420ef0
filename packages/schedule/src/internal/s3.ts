/**
 * The `s3://bucket/prefix?endpoint=…&region=…&sse=…` destination over the AWS SDK v3 S3 client, for
 * any S3-compatible store: credentials from the SDK's own chain (environment, shared files and
 * profiles; never the URI), the endpoint held to the API's TLS rule (https, plain http to loopback
 * only), the object written create-only (`If-None-Match: *`, which S3 answers 412 when the key exists)
 * with server-side encryption when asked, then read back and checked.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { posix } from "node:path"
import type { Readable } from "node:stream"
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  type ServerSideEncryption
} from "@aws-sdk/client-s3"
import * as UrlPolicy from "@booster-export/transport/UrlPolicy"
import { Effect, Either } from "effect"

/** A failure of the S3 destination, mapped by the caller to `DestinationError`. */
export interface S3Failure {
  readonly reason: "unreachable" | "denied" | "exists" | "verify" | "io" | "invalid"
  readonly message: string
}

const failure = (reason: S3Failure["reason"], message: string): S3Failure => ({ reason, message })

/** An S3 destination's settings, from its URI. */
export interface S3Target {
  readonly bucket: string
  readonly prefix: string
  readonly endpoint: URL | undefined
  readonly region: string
  readonly sse: ServerSideEncryption | undefined
  readonly kmsKeyId: string | undefined
  readonly forcePathStyle: boolean
}

const SSE: ReadonlyArray<string> = ["AES256", "aws:kms", "aws:kms:dsse"]
const QUERY: ReadonlyArray<string> = ["endpoint", "region", "sse", "kmsKeyId", "forcePathStyle"]

/** Reads and checks an `s3:` URI: a bucket, known query members, an endpoint under the TLS rule. */
export const target = (url: URL): Either.Either<S3Target, S3Failure> => {
  const bucket = url.hostname
  if (bucket === "")
    return Either.left(failure("invalid", "An s3: destination needs a bucket (s3://bucket/prefix/)"))
  const unknown = [...url.searchParams.keys()].filter((key) => !QUERY.includes(key))
  if (unknown.length > 0) {
    return Either.left(
      failure(
        "invalid",
        `The s3: destination does not take ${unknown.join(", ")} (it takes ${QUERY.join(", ")}; credentials come from the environment or the AWS files)`
      )
    )
  }
  const rawEndpoint = url.searchParams.get("endpoint") ?? undefined
  let endpoint: URL | undefined
  if (rawEndpoint !== undefined) {
    const parsed = UrlPolicy.parse("base", rawEndpoint)
    if (Either.isLeft(parsed)) {
      return Either.left(failure("invalid", "The S3 endpoint must be an http(s) URL without user info"))
    }
    if (parsed.right.protocol === "http:" && !UrlPolicy.isLoopback(parsed.right.hostname)) {
      return Either.left(
        failure("invalid", "The S3 endpoint is plain http to a host other than loopback: use https")
      )
    }
    endpoint = parsed.right
  }
  const sse = url.searchParams.get("sse") ?? undefined
  if (sse !== undefined && !SSE.includes(sse)) {
    return Either.left(failure("invalid", `sse must be one of ${SSE.join(", ")}`))
  }
  return Either.right({
    bucket,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+/, ""),
    endpoint,
    region: url.searchParams.get("region") ?? process.env.AWS_REGION ?? "us-east-1",
    sse: sse as ServerSideEncryption | undefined,
    kmsKeyId: url.searchParams.get("kmsKeyId") ?? undefined,
    forcePathStyle: url.searchParams.get("forcePathStyle") === "true" || endpoint !== undefined
  })
}

/** The SDK's logger, silenced: its messages would reach the command line's stderr. */
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
}

const client = (t: S3Target) =>
  new S3Client({
    logger: silent,
    region: t.region,
    ...(t.endpoint !== undefined ? { endpoint: t.endpoint.href } : {}),
    forcePathStyle: t.forcePathStyle,
    maxAttempts: 3
  })

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode

const mapError = (error: unknown, what: string): S3Failure => {
  const status = statusOf(error)
  if (status === 403 || status === 401) return failure("denied", `${what}: access denied by the store`)
  if (status === 404) return failure("unreachable", `${what}: no such bucket`)
  if (status === undefined) return failure("unreachable", `${what}: the store cannot be reached`)
  return failure("io", `${what} (HTTP ${status})`)
}

/** Size and SHA-256 of an object, read through. */
const objectChecksum = async (s3: S3Client, bucket: string, key: string) => {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash("sha256")
  let bytes = 0
  for await (const chunk of object.Body as Readable) {
    bytes += (chunk as Buffer).length
    hash.update(chunk as Buffer)
  }
  return { bytes, sha256: hash.digest("hex") }
}

/** The object key of a delivered name under the prefix. */
export const keyOf = (t: S3Target, name: string): string => posix.join(t.prefix, name)

/**
 * Puts `localPath` at `name` create-only, then reads it back. Answers whether it was written and what
 * is there.
 */
export const upload = (
  t: S3Target,
  name: string,
  local: { readonly path: string; readonly bytes: number }
): Effect.Effect<
  { readonly written: boolean; readonly found: { bytes: number; sha256: string } },
  S3Failure
> =>
  Effect.tryPromise({
    try: async () => {
      const s3 = client(t)
      try {
        const key = keyOf(t, name)
        const input: PutObjectCommandInput = {
          Bucket: t.bucket,
          Key: key,
          Body: createReadStream(local.path),
          ContentLength: local.bytes,
          ContentType: "text/csv",
          IfNoneMatch: "*",
          ...(t.sse !== undefined ? { ServerSideEncryption: t.sse } : {}),
          ...(t.kmsKeyId !== undefined ? { SSEKMSKeyId: t.kmsKeyId } : {})
        }
        let written = true
        try {
          await s3.send(new PutObjectCommand(input))
        } catch (error) {
          if (statusOf(error) !== 412) throw mapError(error, `The object ${key} cannot be written`)
          written = false
        }
        const found = await objectChecksum(s3, t.bucket, key).catch((error: unknown) => {
          throw mapError(error, `The object ${key} cannot be read back`)
        })
        return { written, found }
      } finally {
        s3.destroy()
      }
    },
    catch: (error) =>
      typeof error === "object" && error !== null && "reason" in error
        ? (error as S3Failure)
        : failure("io", "The S3 delivery failed")
  })

/** Checks that the bucket is reachable with the credentials (`HeadBucket`). */
export const probe = (t: S3Target): Effect.Effect<void, S3Failure> =>
  Effect.tryPromise({
    try: async () => {
      const s3 = client(t)
      try {
        await s3.send(new HeadBucketCommand({ Bucket: t.bucket }))
        await s3.send(new ListObjectsV2Command({ Bucket: t.bucket, Prefix: t.prefix, MaxKeys: 1 }))
      } finally {
        s3.destroy()
      }
    },
    catch: (error) => mapError(error, `The bucket ${t.bucket}`)
  })
