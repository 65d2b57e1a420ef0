/**
 * The `sftp://user@host:port/path` destination over `ssh2`: a key from a file or the SSH agent (never
 * a password), the server's host key checked against a known-hosts file, folders created 0700, the
 * file written 0600 beside its name and renamed into place (SFTP's rename refuses an existing name:
 * create-only), then read back and checked.
 */
import { createHash, createHmac, randomBytes } from "node:crypto"
import { createReadStream, readFileSync, statSync } from "node:fs"
import { posix } from "node:path"
import { Effect } from "effect"
import { Client, type ConnectConfig, type SFTPWrapper } from "ssh2"

/** Where the SSH credentials and the known hosts come from. */
export interface SftpOptions {
  /** A private key file (mode 0600); else the agent. */
  readonly privateKeyFile?: string | undefined
  /** The SSH agent's socket (`SSH_AUTH_SOCK`). */
  readonly agent?: string | undefined
  /** The known-hosts file (OpenSSH format, hashed names accepted). */
  readonly knownHostsFile: string
  /** Connection timeout in milliseconds; default 20 000. */
  readonly timeoutMs?: number | undefined
}

/** A failure of the SFTP destination, mapped by the caller to `DestinationError`. */
export interface SftpFailure {
  readonly reason: "unreachable" | "denied" | "exists" | "verify" | "io" | "invalid"
  readonly message: string
}

const failure = (reason: SftpFailure["reason"], message: string): SftpFailure => ({ reason, message })

/** The known-hosts names of a host: `host` on port 22, `[host]:port` otherwise. */
const namesOf = (host: string, port: number) => (port === 22 ? [host] : [`[${host}]:${port}`])

/** Whether a known-hosts line's host field names the host (plain, comma lists, or `|1|salt|hash`). */
const matches = (field: string, names: ReadonlyArray<string>): boolean =>
  field.split(",").some((pattern) => {
    if (pattern.startsWith("|1|")) {
      const [, , salt, hash] = pattern.split("|")
      if (salt === undefined || hash === undefined) return false
      return names.some(
        (name) => createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash
      )
    }
    return names.includes(pattern)
  })

/** The host keys the known-hosts file lists for the host (base64 of the key blob). */
export const knownKeys = (file: string, host: string, port: number): ReadonlyArray<string> => {
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    return []
  }
  const names = namesOf(host, port)
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("@revoked"))
    .map((line) => line.replace(/^@cert-authority\s+/, "").split(/\s+/))
    .filter(([field, , key]) => field !== undefined && key !== undefined && matches(field, names))
    .map(([, , key]) => key!)
}

/** A private key file's text, refused when other users may read it. */
const privateKey = (file: string): Buffer | SftpFailure => {
  try {
    if ((statSync(file).mode & 0o077) !== 0) {
      return failure("denied", `The SSH key file ${file} can be read by other users; chmod 600 it`)
    }
    return readFileSync(file)
  } catch {
    return failure("denied", `The SSH key file ${file} cannot be read`)
  }
}

/** Runs `use` on an SFTP session to the URL's host, closing the connection after. */
export const withSftp = <A>(
  url: URL,
  options: SftpOptions,
  use: (sftp: SFTPWrapper) => Promise<A>
): Effect.Effect<A, SftpFailure> =>
  Effect.async<A, SftpFailure>((resume) => {
    const host = url.hostname.replace(/^\[|\]$/g, "")
    const port = url.port === "" ? 22 : Number(url.port)
    const where = `${host}:${port}`
    const known = knownKeys(options.knownHostsFile, host, port)
    if (known.length === 0) {
      resume(
        Effect.fail(
          failure(
            "denied",
            `${where} is not in the known-hosts file ${options.knownHostsFile}: add its host key (ssh-keyscan, checked out of band) before delivering there`
          )
        )
      )
      return
    }
    const key = options.privateKeyFile !== undefined ? privateKey(options.privateKeyFile) : undefined
    if (key !== undefined && !Buffer.isBuffer(key)) {
      resume(Effect.fail(key))
      return
    }
    if (key === undefined && options.agent === undefined) {
      resume(
        Effect.fail(
          failure(
            "denied",
            "No SSH key for SFTP: set BOOSTER_SFTP_KEY_FILE or run an SSH agent (SSH_AUTH_SOCK)"
          )
        )
      )
      return
    }
    const client = new Client()
    let settled = false
    let hostKeyRefused = false
    const done = (effect: Effect.Effect<A, SftpFailure>) => {
      if (settled) return
      settled = true
      client.end()
      resume(effect)
    }
    const config: ConnectConfig = {
      host,
      port,
      username: decodeURIComponent(url.username),
      readyTimeout: options.timeoutMs ?? 20_000,
      hostVerifier: (presented: Buffer) => {
        const ok = known.includes(presented.toString("base64"))
        if (!ok) hostKeyRefused = true
        return ok
      },
      ...(key !== undefined
        ? { privateKey: key }
        : options.agent !== undefined
          ? { agent: options.agent }
          : {})
    }
    client.on("ready", () => {
      client.sftp((error, sftp) => {
        if (error) return done(Effect.fail(failure("unreachable", `${where} offers no SFTP`)))
        use(sftp).then(
          (value) => done(Effect.succeed(value)),
          (cause: unknown) =>
            done(
              Effect.fail(
                typeof cause === "object" && cause !== null && "reason" in cause
                  ? (cause as SftpFailure)
                  : failure("io", `SFTP to ${where} failed`)
              )
            )
        )
      })
    })
    client.on("error", (error: Error & { level?: string }) =>
      done(
        Effect.fail(
          hostKeyRefused
            ? failure(
                "denied",
                `The host key of ${where} does not match the known-hosts file: refusing to deliver there`
              )
            : error.level === "client-authentication"
              ? failure("denied", `${where} refused the SSH key for user ${url.username}`)
              : failure("unreachable", `${where} cannot be reached over SSH`)
        )
      )
    )
    client.connect(config)
    return Effect.sync(() => {
      settled = true
      client.end()
    })
  })

const call = <A>(run: (callback: (error: Error | null | undefined, value?: A) => void) => void): Promise<A> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as A))))

const codeOf = (error: unknown): number | undefined => (error as { code?: number }).code

/** `mkdir -p` with mode 0700. */
const mkdirs = async (sftp: SFTPWrapper, folder: string) => {
  const parts = folder.split("/").filter((part) => part !== "")
  let current = folder.startsWith("/") ? "" : "."
  for (const part of parts) {
    current = `${current}/${part}`
    try {
      await call<void>((cb) => sftp.mkdir(current, { mode: 0o700 }, cb))
    } catch {
      const stats = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(current, cb)).catch(
        () => undefined
      )
      if (stats === undefined || !stats.isDirectory()) {
        throw failure("denied", `The folder ${current} cannot be created on the SFTP server`)
      }
    }
  }
}

/** Size and SHA-256 of a remote file, read through. */
const remoteChecksum = (sftp: SFTPWrapper, path: string) =>
  new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    const hash = createHash("sha256")
    let bytes = 0
    const stream = sftp.createReadStream(path)
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length
      hash.update(chunk)
    })
    stream.on("error", () => reject(failure("io", "A delivered file could not be read back over SFTP")))
    stream.on("end", () => resolve({ bytes, sha256: hash.digest("hex") }))
  })

/**
 * Uploads `local` to `target` create-only: a part file 0600 beside it, renamed into place (refused
 * when the name exists), then read back. Answers whether it was written, and what is there.
 */
export const upload = async (
  sftp: SFTPWrapper,
  localPath: string,
  target: string
): Promise<{ readonly written: boolean; readonly found: { bytes: number; sha256: string } }> => {
  await mkdirs(sftp, posix.dirname(target))
  const part = posix.join(posix.dirname(target), `.${randomBytes(8).toString("hex")}.part`)
  await new Promise<void>((resolve, reject) => {
    const out = sftp.createWriteStream(part, { flags: "wx", mode: 0o600 })
    out.on("error", () => reject(failure("denied", "The file cannot be written on the SFTP server")))
    out.on("close", () => resolve())
    createReadStream(localPath).on("error", reject).pipe(out)
  })
  let written = true
  try {
    await call<void>((cb) => sftp.rename(part, target, cb))
  } catch (error) {
    const exists = await call((cb) => sftp.stat(target, cb)).then(
      () => true,
      () => false
    )
    await call<void>((cb) => sftp.unlink(part, cb)).catch(() => undefined)
    if (!exists)
      throw failure(
        "io",
        `The file cannot be moved into place on the SFTP server (${codeOf(error) ?? "error"})`
      )
    written = false
  }
  return { written, found: await remoteChecksum(sftp, target) }
}

/** Checks a remote folder: created if missing, writable (a probe file written and removed). */
export const probe = async (sftp: SFTPWrapper, folder: string): Promise<void> => {
  await mkdirs(sftp, folder)
  const path = posix.join(folder, `.${randomBytes(8).toString("hex")}.probe`)
  const handle = await call<Buffer>((cb) => sftp.open(path, "wx", { mode: 0o600 }, cb)).catch(() => {
    throw failure("denied", `The folder ${folder} is not writable on the SFTP server`)
  })
  await call<void>((cb) => sftp.close(handle, cb))
  await call<void>((cb) => sftp.unlink(path, cb))
}
