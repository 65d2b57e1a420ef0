import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client
} from "@aws-sdk/client-s3"
import { Sandbox } from "@booster-export/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Destination } from "../src/index.js"
import { expectCreateOnly, localFile } from "./delivery.js"
import { deliverOneRun } from "./env.js"
import { motoCheck, type RunningMoto, startMoto } from "./moto.js"

const moto = motoCheck()

describe.skipIf(!moto.available)("s3: destination (moto_server, an S3-compatible store on 127.0.0.1)", () => {
  let server: RunningMoto
  let s3: S3Client
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = "testing"
    process.env.AWS_SECRET_ACCESS_KEY = "testing"
    server = await startMoto()
    s3 = new S3Client({ region: "us-east-1", endpoint: server.endpoint, forcePathStyle: true })
    await s3.send(new CreateBucketCommand({ Bucket: "drop" }))
  }, 90_000)
  afterAll(async () => {
    s3?.destroy()
    await server?.close()
  })

  const uri = (query = "") =>
    `s3://drop/exports/?endpoint=${encodeURIComponent(server.endpoint)}&region=us-east-1${query}`

  it.effect(
    "puts create-only (If-None-Match: *), verifies by reading back, accepts the same object again and refuses another, leaving it alone",
    () =>
      Effect.gen(function* () {
        const destination = yield* Destination.open(uri("&sse=AES256"))
        const file = localFile("a,b\n1,2\n")
        const delivered = yield* destination.deliver("weekly/2026-03-30T05-00-00Z/customers.csv", file)
        expect(delivered).toEqual({
          location: "s3://drop/exports/weekly/2026-03-30T05-00-00Z/customers.csv",
          bytes: file.bytes,
          sha256: file.sha256,
          alreadyThere: false
        })
        const key = "exports/weekly/2026-03-30T05-00-00Z/customers.csv"
        const head = yield* Effect.promise(() => s3.send(new HeadObjectCommand({ Bucket: "drop", Key: key })))
        expect(head.ServerSideEncryption).toBe("AES256")
        yield* expectCreateOnly(destination, "weekly/2026-03-30T05-00-00Z/customers.csv", file)
        const body = yield* Effect.promise(async () =>
          (await s3.send(new GetObjectCommand({ Bucket: "drop", Key: key }))).Body!.transformToString()
        )
        expect(body).toBe("a,b\n1,2\n")
        expect(yield* destination.check).toContain("reachable")
      })
  )

  it.effect(
    "refuses a plain-http endpoint off loopback, user info in the endpoint, unknown query members (no credentials in the URI) and an unknown bucket",
    () =>
      Effect.gen(function* () {
        for (const bad of [
          "s3://drop/x/?endpoint=http%3A%2F%2Fstorage.example.com",
          "s3://drop/x/?endpoint=https%3A%2F%2Fkey%3Asecret%40storage.example.com",
          "s3://drop/x/?accessKeyId=AKIA&secretAccessKey=hunter2"
        ]) {
          const result = yield* Effect.either(Destination.open(bad))
          expect(Either.isLeft(result) && result.left.reason).toBe("invalid")
          if (Either.isLeft(result)) expect(result.left.message).not.toContain("hunter2")
        }
        const missing = yield* Destination.open(
          `s3://no-such-bucket/x/?endpoint=${encodeURIComponent(server.endpoint)}`
        )
        expect(Either.isLeft(yield* Effect.either(missing.check))).toBe(true)
      })
  )

  it.effect(
    "check (booster doctor): passes for a reachable bucket with the credentials, leaving no object; fails for an unknown bucket or refused credentials",
    () =>
      Effect.gen(function* () {
        const objects = () =>
          Effect.promise(
            async () => (await s3.send(new ListObjectsV2Command({ Bucket: "drop" }))).KeyCount ?? 0
          )
        const before = yield* objects()
        const destination = yield* Destination.open(uri("&sse=AES256"))
        expect(yield* destination.check).toBe(
          "the bucket drop is reachable and its prefix listable with the credentials"
        )
        expect(yield* objects()).toBe(before)
        const missing = yield* Destination.open(
          `s3://no-such-bucket/x/?endpoint=${encodeURIComponent(server.endpoint)}`
        )
        const unknown = yield* Effect.either(missing.check)
        expect(Either.isLeft(unknown) && unknown.left.reason).toBe("unreachable")
      })
  )

  it("delivers a scheduled run's file to the bucket", async () => {
    const sb = await Sandbox.start({ customers: 100, taskDurationMs: 0, brands: ["CAR"] })
    try {
      const handled = await deliverOneRun(
        sb,
        { id: "s3-1", name: "to-s3", kind: "stock", filter: { brand: "CAR" } },
        uri()
      )
      expect(handled).toMatchObject([
        {
          status: "delivered",
          outcome: { location: "s3://drop/exports/to-s3/2026-03-30T07-00-00Z/stock.csv" }
        }
      ])
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: "drop", Key: "exports/to-s3/2026-03-30T07-00-00Z/stock.csv" })
      )
      expect(head.ContentLength).toBe(handled[0]!.outcome!.bytes)
    } finally {
      await sb.close()
    }
  })
})
