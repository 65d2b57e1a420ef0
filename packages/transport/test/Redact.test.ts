import { describe, expect, it } from "vitest"
import * as Redact from "../src/Redact.js"

describe("Redact.isCredentialHeader and Redact.headers", () => {
  it.each([
    "Authorization",
    "proxy-authorization",
    "Cookie",
    "Set-Cookie",
    "X-Api-Key",
    "X-Auth-Token",
    "X-Session-Id",
    "X-Amz-Signature",
    "X-Client-Secret",
    "X-Password",
    "Ocp-Apim-Subscription-Key"
  ])("%s carries a credential", (name) => {
    expect(Redact.isCredentialHeader(name)).toBe(true)
    expect(Redact.isCredentialHeader(name.toUpperCase())).toBe(true)
  })

  it.each(["Accept", "Content-Type", "User-Agent", "x-booster-App", "X-Request-Id"])(
    "%s does not",
    (name) => {
      expect(Redact.isCredentialHeader(name)).toBe(false)
    }
  )

  it("treats the configured API-key header as a credential whatever its name", () => {
    expect(Redact.isCredentialHeader("X-Booster-Caller", ["x-booster-caller"])).toBe(true)
  })

  it("shows each name once, the later spelling (the one sent), every credential redacted", () => {
    expect(
      Redact.headers(
        {
          authorization: "Bearer first",
          Accept: "application/json",
          Authorization: "Bearer second",
          "X-Session-Id": "s-1",
          "X-Amz-Signature": "sig",
          Cookie: "a=1",
          "X-Booster-Caller": "c",
          "x-booster-App": "crm"
        },
        ["X-Booster-Caller"]
      )
    ).toEqual({
      Accept: "application/json",
      Authorization: "<redacted>",
      "X-Session-Id": "<redacted>",
      "X-Amz-Signature": "<redacted>",
      Cookie: "<redacted>",
      "X-Booster-Caller": "<redacted>",
      "x-booster-App": "crm"
    })
    expect(Object.keys(Redact.headers({ "x-a": "1", "X-A": "2" }))).toEqual(["X-A"])
  })
})

describe("Redact.url", () => {
  it.each([
    [
      "user info and query",
      "https://alice:hunter2@s3.example.com/b/f.csv?X-Amz-Signature=abc&expires=1",
      "https://s3.example.com/b/f.csv?<redacted>"
    ],
    ["a user name alone", "https://alice@s3.example.com/b/f.csv", "https://s3.example.com/b/f.csv"],
    ["an @ inside the password", "https://alice:p@ss@s3.example.com/f.csv", "https://s3.example.com/f.csv"],
    ["a fragment", "https://s3.example.com/f.csv#token=abc", "https://s3.example.com/f.csv?<redacted>"],
    ["query and fragment", "https://s3.example.com/f.csv?sig=1#x", "https://s3.example.com/f.csv?<redacted>"],
    [
      "an encoded query in the path",
      "https://s3.example.com/f.csv%3FX-Amz-Signature%3Dabc",
      "https://s3.example.com/f.csv?<redacted>"
    ],
    [
      "an encoded fragment in the path",
      "https://s3.example.com/f.csv%23sig",
      "https://s3.example.com/f.csv?<redacted>"
    ],
    ["an empty query", "https://s3.example.com/f.csv?", "https://s3.example.com/f.csv"],
    [
      "port and encoded path kept",
      "https://s3.example.com:8443/a%20b/f.csv",
      "https://s3.example.com:8443/a%20b/f.csv"
    ],
    ["no query: as it is", "https://s3.example.com/b/f.csv", "https://s3.example.com/b/f.csv"],
    [
      "expires is not shown either",
      "https://s.example/f.csv?expires=1700000000",
      "https://s.example/f.csv?<redacted>"
    ],
    [
      "a database URL",
      "postgres://booster:s3cret@db.example:5432/journal?sslmode=require",
      "postgres://db.example:5432/journal?<redacted>"
    ],
    ["a path-only reference", "/files/x.csv?signature=abc", "/files/x.csv?<redacted>"],
    ["unreadable", "not a url?sig=1", "<unreadable url>"],
    ["protocol-relative", "//h/x?sig=1", "<unreadable url>"]
  ])("%s", (_, input, shown) => {
    expect(Redact.url(input)).toBe(shown)
  })

  it("takes a URL object", () => {
    expect(Redact.url(new URL("https://u:p@h.example/x?sig=1"))).toBe("https://h.example/x?<redacted>")
  })
})

describe("Redact.urlsInText", () => {
  it("redacts user info, query and fragment of every URL in the text, and nothing else", () => {
    expect(
      Redact.urlsInText(
        "Download https://alice:hunter2@files.example/x.csv?sig=abc#f failed; see http://h.example/p and " +
          "postgres://u:pw@db/x (code 7). Mail bob@example.com."
      )
    ).toBe(
      "Download https://files.example/x.csv?<redacted> failed; see http://h.example/p and " +
        "postgres://db/x (code 7). Mail bob@example.com."
    )
  })

  it("stops at quotes and angle brackets", () => {
    expect(Redact.urlsInText(`"https://h/x?sig=1" <https://u:p@h/y#f>`)).toBe(
      `"https://h/x?<redacted>" <https://h/y?<redacted>>`
    )
  })

  it("finds percent-encoded URLs and encoded queries", () => {
    expect(Redact.urlsInText("next=https%3A%2F%2Fu%3Apw%40h.example%2Fx%3Fsig%3Dabc")).toBe(
      "next=https%3A%2F%2Fh.example%2Fx?<redacted>"
    )
    expect(Redact.urlsInText("at https://h.example/f.csv%3FX-Amz-Signature%3Dabc now")).toBe(
      "at https://h.example/f.csv?<redacted> now"
    )
  })

  it("leaves a URL already redacted as it is (redacting twice is redacting once)", () => {
    for (const input of [
      "s3://exports/stock/?endpoint=https://s3.internal.example:9000&region=eu-west-3",
      "https://alice:hunter2@files.example/x.csv?sig=abc#f",
      "https://h.example/f.csv%3FX-Amz-Signature%3Dabc"
    ]) {
      const once = Redact.url(input)
      expect(Redact.urlsInText(once)).toBe(once)
      expect(Redact.urlsInText(`to ${once}; done`)).toBe(`to ${once}; done`)
      expect(Redact.urlsInText(Redact.urlsInText(`to ${input} now`))).toBe(
        Redact.urlsInText(`to ${input} now`)
      )
    }
  })

  it("agrees with Redact.url on a URL alone", () => {
    for (const input of [
      "https://alice:hunter2@s3.example.com/b/f.csv?X-Amz-Signature=abc",
      "https://s3.example.com/f.csv#token=abc",
      "https://s3.example.com/f.csv%3Fsig%3D1",
      "http://h.example/p"
    ]) {
      expect(Redact.urlsInText(input)).toBe(Redact.url(input))
    }
  })
})

describe("Redact.isSignedUrlMember", () => {
  it("names the members holding a download URL", () => {
    expect(["signedDownloadUrl", "SIGNEDDOWNLOADURL", "downloadUrl"].every(Redact.isSignedUrlMember)).toBe(
      true
    )
    expect(Redact.isSignedUrlMember("url")).toBe(false)
  })
})
