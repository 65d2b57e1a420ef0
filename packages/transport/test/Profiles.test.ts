import { chmod, mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { Profiles } from "../src/index.js"
import { temporaryFolders } from "./files.js"

const tempDir = temporaryFolders("booster-profiles-")

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.either(effect))

/** A home whose profiles file holds `profiles`, and a key file of `mode` in it. */
const home = async (profiles: unknown, keyMode = 0o600) => {
  const root = await tempDir()
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, "config") }
  await mkdir(Profiles.directory(env), { recursive: true })
  await writeFile(Profiles.file(env), JSON.stringify(profiles))
  const keyFile = join(root, "api.key")
  await writeFile(keyFile, "profile-secret-key\n")
  await chmod(keyFile, keyMode)
  return { root, env, keyFile }
}

const connect = async (
  env: Record<string, string | undefined>,
  options: { readonly flag?: string; readonly requirePrivate?: boolean } = {}
) => {
  const file = await Effect.runPromise(Profiles.load(env))
  return run(
    Effect.flatMap(Profiles.select(file, { flag: options.flag, env }), (selected) =>
      Profiles.connection({
        selected,
        env,
        ...(options.requirePrivate !== undefined ? { requirePrivate: options.requirePrivate } : {})
      })
    )
  )
}

describe("Profiles", () => {
  it("reads the profile named by the flag, else BOOSTER_PROFILE, else the file's default", async () => {
    const { env, keyFile } = await home({
      default: "prod",
      profiles: {
        prod: { baseUrl: "https://prod.example.com", apiKeyFile: "~/api.key" },
        test: { baseUrl: "https://test.example.com", apiKeyHeader: "X-Api-Key", headers: { "x-app": "crm" } }
      }
    })
    const byDefault = await connect(env)
    expect(byDefault).toMatchObject(
      Either.right({ profile: "prod", baseUrl: "https://prod.example.com", baseUrlSource: "profile" })
    )
    if (Either.isRight(byDefault))
      expect(byDefault.right.key).toMatchObject({ origin: "profile", path: keyFile })
    const named = await connect({ ...env, BOOSTER_PROFILE: "test", BOOSTER_API_KEY_FILE: keyFile })
    expect(named).toMatchObject(
      Either.right({
        profile: "test",
        baseUrl: "https://test.example.com",
        headers: { "x-app": "crm" },
        key: { header: "X-Api-Key", source: "file", origin: "env", path: keyFile }
      })
    )
    if (Either.isRight(named)) expect(Redacted.value(named.right.key!.key)).toBe("profile-secret-key")
    expect(await connect({ ...env, BOOSTER_PROFILE: "test" }, { flag: "prod" })).toMatchObject(
      Either.right({ profile: "prod" })
    )
    expect(
      await connect({ ...env, BOOSTER_PROFILE: "test", BOOSTER_BASE_URL: "https://env.example.com" })
    ).toMatchObject(Either.right({ baseUrl: "https://env.example.com", baseUrlSource: "env" }))
  })

  it("refuses a profile the file does not hold, naming where it was named", async () => {
    const { env } = await home({ profiles: {} })
    expect(await connect({ ...env, BOOSTER_PROFILE: "nope" })).toMatchObject(
      Either.left({
        _tag: "InvalidConfigError",
        field: "BOOSTER_PROFILE",
        message: "There is no profile named nope"
      })
    )
    expect(await connect(env, { flag: "nope" })).toMatchObject(Either.left({ field: "--profile" }))
  })

  it("takes BOOSTER_API_KEY over BOOSTER_API_KEY_FILE over the profile's key file", async () => {
    const { env, keyFile } = await home({ profiles: { p: { apiKeyFile: "/nonexistent/key" } } })
    const key = async (extra: Record<string, string>) => {
      const result = await connect({ ...env, ...extra }, { flag: "p" })
      return Either.map(result, (connection) => connection.key && Redacted.value(connection.key.key))
    }
    expect(await key({ BOOSTER_API_KEY: "from-env", BOOSTER_API_KEY_FILE: keyFile })).toEqual(
      Either.right("from-env")
    )
    expect(await key({ BOOSTER_API_KEY_FILE: keyFile })).toEqual(Either.right("profile-secret-key"))
    expect(await key({})).toMatchObject(
      Either.left({
        field: "profile p apiKeyFile",
        message: "The API key file named by profile p apiKeyFile cannot be read"
      })
    )
  })

  it("refuses a key file other users can read when asked to, naming the file and the fix, never the key", async () => {
    const { env, keyFile } = await home({ profiles: {} }, 0o644)
    const env2 = { ...env, BOOSTER_API_KEY_FILE: keyFile }
    expect(Either.isRight(await connect(env2))).toBe(true)
    const refused = await connect(env2, { requirePrivate: true })
    expect(refused).toMatchObject(
      Either.left({
        field: "BOOSTER_API_KEY_FILE",
        path: keyFile,
        hint: expect.stringContaining(`chmod 600 ${keyFile}`)
      })
    )
    expect(JSON.stringify(refused)).not.toContain("profile-secret-key")
    await chmod(keyFile, 0o600)
    expect(Either.isRight(await connect(env2, { requirePrivate: true }))).toBe(true)
  })

  it("refuses a profiles file that is not valid, naming it", async () => {
    const { env } = await home({ profiles: { p: { retentionDays: "many" } } })
    expect(await run(Profiles.load(env))).toMatchObject(
      Either.left({ field: "profiles", message: `The profiles file ${Profiles.file(env)} is not valid` })
    )
  })

  it("sends a key file's key unless the environment gives basic or OAuth2 credentials, and refuses both from the environment", async () => {
    const { env, keyFile } = await home({ profiles: {} })
    const basic = { BOOSTER_BASIC_USER: "u", BOOSTER_BASIC_PASSWORD: "p" }
    const fileKey = await Effect.runPromise(
      Profiles.apiKey({
        selected: { name: undefined, profile: {} },
        env: { ...env, BOOSTER_API_KEY_FILE: keyFile }
      })
    )
    expect(Profiles.auth(fileKey, {})).toMatchObject(Either.right({ _tag: "Bearer" }))
    expect(Profiles.auth(fileKey, basic)).toMatchObject(
      Either.left({
        field: "auth",
        message: expect.stringContaining("BOOSTER_API_KEY_FILE and BOOSTER_BASIC_*")
      })
    )
    expect(Profiles.auth(fileKey && { ...fileKey, origin: "profile" }, basic)).toMatchObject(
      Either.right({ _tag: "Basic" })
    )
    expect(Profiles.auth(undefined, {})).toMatchObject(Either.right({ _tag: "None" }))
  })
})
