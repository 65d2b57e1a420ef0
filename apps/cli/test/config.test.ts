import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

beforeAll(() => ensureBuilt(), 120_000)

describe("booster config", () => {
  it("writes profiles with mode 0600 and never stores a key", async () => {
    const home = freshHome()
    const keyFile = join(home.root, "prod.key")
    writeFileSync(keyFile, "super-secret-key\n", { mode: 0o600 })
    const set = await booster(
      [
        "config",
        "set",
        "--profile",
        "prod",
        "--base-url",
        "https://booster.example.com/api",
        "--api-key-file",
        keyFile,
        "--api-key-header",
        "X-Api-Key",
        "--brand",
        "CAR",
        "--pos-code",
        "ES100",
        "--header",
        "x-booster-App=crm"
      ],
      { env: home.env }
    )
    expect(set.code).toBe(0)
    const path = join(home.env.XDG_CONFIG_HOME, "booster-export", "profiles.json")
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, "utf8")).not.toContain("super-secret-key")
    const show = await booster(["config", "show", "--json"], { env: home.env })
    expect(show.code).toBe(0)
    expect(show.stdout).not.toContain("super-secret-key")
    expect(parseJson(show.stdout)).toMatchObject({
      profile: "prod",
      baseUrl: "https://booster.example.com/api",
      baseUrlSource: "profile",
      apiKey: "<redacted>",
      apiKeySource: "file",
      apiKeyHeader: "X-Api-Key",
      headers: { "x-booster-App": "crm" },
      brand: "CAR",
      posCodes: ["ES100"]
    })
  })

  it("sets the retention and the team journal of a profile, never a journal password", async () => {
    const home = freshHome()
    const set = await booster(
      [
        "config",
        "set",
        "--journal-url",
        "postgres://booster@db.example.com:5432/booster",
        "--retention-days",
        "14"
      ],
      { env: home.env }
    )
    expect(set.code).toBe(0)
    expect(parseJson((await booster(["config", "show", "--json"], { env: home.env })).stdout)).toMatchObject({
      journal: "postgres://db.example.com:5432/booster",
      journalSource: "profile",
      retentionDays: 14
    })
    const secret = await booster(
      ["config", "set", "--journal-url", "postgres://booster:hunter2@db/booster"],
      {
        env: home.env
      }
    )
    expect(secret.code).toBe(2)
    expect(secret.stderr).toContain("PGPASSWORD")
    expect(secret.stderr).not.toContain("hunter2")
    const path = join(home.env.XDG_CONFIG_HOME, "booster-export", "profiles.json")
    expect(readFileSync(path, "utf8")).not.toContain("hunter2")
    expect((await booster(["config", "set", "--retention-days", "0"], { env: home.env })).code).toBe(2)
    await booster(["config", "set", "--journal-url", "local"], { env: home.env })
    expect(parseJson((await booster(["config", "show", "--json"], { env: home.env })).stdout)).toMatchObject({
      journalSource: "default",
      retentionDays: 14
    })
  })

  it("ties allowInsecureHttp to the profile's own base URL", async () => {
    const home = freshHome()
    const set = ["config", "set", "--profile", "lan", "--base-url", "http://booster.lan:8080"]
    await booster([...set, "--allow-insecure-http"], { env: home.env })
    const own = parseJson((await booster(["config", "show", "--json"], { env: home.env })).stdout)
    expect(own).toMatchObject({ baseUrl: "http://booster.lan:8080", allowInsecureHttp: true })
    const flag = await booster(["config", "show", "--json", "--base-url", "http://elsewhere.lan"], {
      env: home.env
    })
    expect(parseJson(flag.stdout)).toMatchObject({
      baseUrl: "http://elsewhere.lan",
      allowInsecureHttp: false
    })
    const env = await booster(["config", "show", "--json"], {
      env: { ...home.env, BOOSTER_BASE_URL: "http://elsewhere.lan" }
    })
    expect(parseJson(env.stdout)).toMatchObject({ allowInsecureHttp: false })
    await booster(["config", "set", "--profile", "lan", "--base-url", "http://moved.lan"], { env: home.env })
    const moved = parseJson((await booster(["config", "show", "--json"], { env: home.env })).stdout)
    expect(moved).toMatchObject({ baseUrl: "http://moved.lan", allowInsecureHttp: false })
  })

  it("refuses an export to an overriding plain-http base URL under a profile allowing insecure http, sending nothing", async () => {
    const home = freshHome()
    await booster(
      ["config", "set", "--base-url", "http://booster.lan:8080", "--allow-insecure-http", "--brand", "CAR"],
      { env: home.env }
    )
    const env = { ...home.env, BOOSTER_API_KEY: "k" }
    const args = ["export", "--pos-code", "IT100", "--yes", "--json"]
    // the profile's own base URL is allowed (a dry run sends nothing)
    expect((await booster([...args, "--dry-run"], { env })).code).toBe(0)
    for (const run of [
      booster([...args, "--base-url", "http://elsewhere.lan:8080"], { env }),
      booster(args, { env: { ...env, BOOSTER_BASE_URL: "http://elsewhere.lan:8080" } })
    ]) {
      const refused = await run
      expect(refused.code).toBe(2)
      expect(parseJson(refused.stderr)).toMatchObject({ _tag: "InvalidConfigError", field: "baseUrl" })
      expect(String(parseJson(refused.stderr).message)).toContain("Plain http://")
    }
  })

  it("applies flag > env > profile > default", async () => {
    const home = freshHome()
    await booster(["config", "set", "--profile", "a", "--base-url", "https://profile.example.com"], {
      env: home.env
    })
    const fromProfile = parseJson((await booster(["config", "show", "--json"], { env: home.env })).stdout)
    expect(fromProfile).toMatchObject({ baseUrl: "https://profile.example.com", baseUrlSource: "profile" })
    const env = { ...home.env, BOOSTER_BASE_URL: "https://env.example.com", BOOSTER_API_KEY: "env-key" }
    const fromEnv = parseJson((await booster(["config", "show", "--json"], { env })).stdout)
    expect(fromEnv).toMatchObject({
      baseUrl: "https://env.example.com",
      baseUrlSource: "env",
      apiKeySource: "env"
    })
    const fromFlag = parseJson(
      (await booster(["config", "show", "--json", "--base-url", "https://flag.example.com"], { env })).stdout
    )
    expect(fromFlag).toMatchObject({ baseUrl: "https://flag.example.com", baseUrlSource: "flag" })
    const none = parseJson((await booster(["config", "show", "--json"], { env: freshHome().env })).stdout)
    expect(none).toMatchObject({ baseUrl: null, baseUrlSource: "default", apiKey: null })
  })

  it("selects profiles by --profile and BOOSTER_PROFILE, lists and removes them", async () => {
    const home = freshHome()
    await booster(["config", "set", "--profile", "one", "--brand", "CAR"], { env: home.env })
    await booster(["config", "set", "--profile", "two", "--brand", "IWC"], { env: home.env })
    const list = parseJson((await booster(["config", "list", "--json"], { env: home.env })).stdout)
    expect(list).toEqual({ default: "one", profiles: ["one", "two"] })
    const byEnv = parseJson(
      (await booster(["config", "show", "--json"], { env: { ...home.env, BOOSTER_PROFILE: "two" } })).stdout
    )
    expect(byEnv.brand).toBe("IWC")
    const missing = await booster(["config", "show", "--profile", "three", "--json"], { env: home.env })
    expect(missing.code).toBe(2)
    expect(parseJson(missing.stderr)).toMatchObject({ _tag: "ConfigError", field: "--profile" })
    expect((await booster(["config", "remove", "two"], { env: home.env })).code).toBe(0)
    expect(
      parseJson((await booster(["config", "list", "--json"], { env: home.env })).stdout).profiles
    ).toEqual(["one"])
  })

  it("refuses a key file other users can read in every command that reads it, naming the setting and the chmod (exit 2)", async () => {
    const home = freshHome()
    const keyFile = join(home.root, "open.key")
    writeFileSync(keyFile, "open-secret-key\n", { mode: 0o644 })
    chmodSync(keyFile, 0o644)
    const api = { ...home.env, BOOSTER_BASE_URL: "http://127.0.0.1:9" }
    const withProfile = freshHome()
    await booster(["config", "set", "--profile", "p", "--api-key-file", keyFile], { env: withProfile.env })
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, string]> = [
      [["tasks", "list"], { ...api, BOOSTER_API_KEY_FILE: keyFile }, "BOOSTER_API_KEY_FILE"],
      [
        ["export", "--brand", "CAR", "--pos-code", "IT100", "--dry-run"],
        { ...api, BOOSTER_API_KEY_FILE: keyFile },
        "BOOSTER_API_KEY_FILE"
      ],
      [
        ["tasks", "get", "9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40", "--api-key-file", keyFile],
        api,
        "--api-key-file"
      ],
      [["config", "show", "--profile", "p"], withProfile.env, "apiKeyFile"],
      [["history"], withProfile.env, "apiKeyFile"]
    ]
    for (const [args, env, setting] of cases) {
      const result = await booster([...args, "--json"], { env })
      expect(result.code, args.join(" ")).toBe(2)
      const error = parseJson(result.stderr)
      expect(error).toMatchObject({ _tag: "ConfigError" })
      expect(String(error.message)).toContain(setting)
      expect(String(error.message)).toContain("other users")
      expect(String(error.hint)).toContain(`chmod 600 ${keyFile}`)
      expect(`${result.stdout}${result.stderr}`).not.toContain("open-secret-key")
    }
    chmodSync(keyFile, 0o600)
    const fixed = await booster(["export", "--brand", "CAR", "--pos-code", "IT100", "--dry-run", "--json"], {
      env: { ...api, BOOSTER_API_KEY_FILE: keyFile }
    })
    expect(fixed.code).toBe(0)
  })

  it("refuses an unreadable key file with exit 2, naming the setting", async () => {
    const home = freshHome()
    const result = await booster(["config", "show", "--api-key-file", join(home.root, "nope")], {
      env: home.env
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--api-key-file")
  })
})
