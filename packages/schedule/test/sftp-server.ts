/**
 * An SFTP server in the test's process (ssh2's server side) on 127.0.0.1, serving a real folder:
 * public-key authentication for one user and key, the operations a delivery uses (open with flags
 * and mode, read, write, stat, mkdir, rename that refuses an existing name as OpenSSH's does,
 * remove, realpath, setstat).
 */
import * as fs from "node:fs"
import { mkdtempSync, writeFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join, normalize } from "node:path"
import { type Connection, type ParsedKey, Server, utils } from "ssh2"

const { STATUS_CODE } = utils.sftp

export interface RunningSftp {
  readonly port: number
  /** The folder served as `/`. */
  readonly root: string
  /** A known-hosts file listing this server's host key. */
  readonly knownHosts: string
  /** A private key file (0600) the server accepts for user `drop`. */
  readonly keyFile: string
  /** A known-hosts file listing another key for this address. */
  readonly wrongKnownHosts: string
  /** A private key the server does not accept. */
  readonly otherKeyFile: string
  readonly logins: () => number
  readonly close: () => Promise<void>
}

const parsed = (text: string): ParsedKey => {
  const key = utils.parseKey(text)
  if (key instanceof Error) throw key
  return Array.isArray(key) ? key[0]! : key
}

export const startSftp = async (): Promise<RunningSftp> => {
  const dir = mkdtempSync(join(tmpdir(), "sftp-"))
  const root = join(dir, "root")
  fs.mkdirSync(root)
  const hostKey = utils.generateKeyPairSync("ed25519")
  const otherHost = utils.generateKeyPairSync("ed25519")
  const userKey = utils.generateKeyPairSync("ed25519")
  const otherUser = utils.generateKeyPairSync("ed25519")
  const allowed = parsed(userKey.public)
  let logins = 0

  const local = (path: string) => join(root, normalize(`/${path}`))

  const serve = (client: Connection) => {
    client.on("authentication", (ctx) => {
      if (
        ctx.method === "publickey" &&
        ctx.username === "drop" &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH())
      ) {
        if (ctx.signature === undefined) return ctx.accept()
        if (allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) {
          logins++
          return ctx.accept()
        }
      }
      ctx.reject()
    })
    client.on("error", () => undefined)
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession()
        session.on("sftp", (acceptSftp) => {
          const sftp = acceptSftp()
          const handles = new Map<number, number>()
          let next = 0
          const fd = (handle: Buffer) => handles.get(handle.readUInt32BE(0))
          const fail = (reqid: number, error: unknown) =>
            sftp.status(
              reqid,
              (error as { code?: string }).code === "ENOENT" ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE
            )
          const attrsOf = (stats: fs.Stats) => ({
            mode: stats.mode,
            uid: stats.uid,
            gid: stats.gid,
            size: stats.size,
            atime: Math.floor(stats.atimeMs / 1000),
            mtime: Math.floor(stats.mtimeMs / 1000)
          })
          sftp.on("OPEN", (reqid, filename, flags, attrs) => {
            try {
              const mode = typeof attrs.mode === "number" ? attrs.mode & 0o777 : 0o644
              const opened = fs.openSync(local(filename), utils.sftp.flagsToString(flags) ?? "r", mode)
              const id = next++
              handles.set(id, opened)
              const handle = Buffer.alloc(4)
              handle.writeUInt32BE(id, 0)
              sftp.handle(reqid, handle)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("WRITE", (reqid, handle, offset, data) => {
            try {
              fs.writeSync(fd(handle)!, data, 0, data.length, offset)
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("READ", (reqid, handle, offset, length) => {
            try {
              const buffer = Buffer.alloc(length)
              const read = fs.readSync(fd(handle)!, buffer, 0, length, offset)
              if (read === 0) sftp.status(reqid, STATUS_CODE.EOF)
              else sftp.data(reqid, buffer.subarray(0, read))
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("CLOSE", (reqid, handle) => {
            const id = handle.readUInt32BE(0)
            const opened = handles.get(id)
            if (opened !== undefined) fs.closeSync(opened)
            handles.delete(id)
            sftp.status(reqid, STATUS_CODE.OK)
          })
          sftp.on("FSTAT", (reqid, handle) => {
            try {
              sftp.attrs(reqid, attrsOf(fs.fstatSync(fd(handle)!)))
            } catch (error) {
              fail(reqid, error)
            }
          })
          const stat = (reqid: number, path: string) => {
            try {
              sftp.attrs(reqid, attrsOf(fs.statSync(local(path))))
            } catch (error) {
              fail(reqid, error)
            }
          }
          sftp.on("STAT", stat)
          sftp.on("LSTAT", stat)
          sftp.on("FSETSTAT", (reqid, handle, attrs) => {
            try {
              if (typeof attrs.mode === "number") fs.fchmodSync(fd(handle)!, attrs.mode & 0o777)
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("SETSTAT", (reqid, path, attrs) => {
            try {
              if (typeof attrs.mode === "number") fs.chmodSync(local(path), attrs.mode & 0o777)
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("MKDIR", (reqid, path, attrs) => {
            try {
              fs.mkdirSync(local(path), { mode: typeof attrs.mode === "number" ? attrs.mode & 0o777 : 0o755 })
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("RENAME", (reqid, from, to) => {
            try {
              // as OpenSSH's sftp-server: a link, which refuses an existing name, then the old name removed
              fs.linkSync(local(from), local(to))
              fs.unlinkSync(local(from))
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("REMOVE", (reqid, path) => {
            try {
              fs.unlinkSync(local(path))
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (error) {
              fail(reqid, error)
            }
          })
          sftp.on("REALPATH", (reqid, path) => {
            const name = normalize(`/${path}`)
            sftp.name(reqid, [{ filename: name, longname: name, attrs: {} as never }])
          })
        })
      })
    })
  }

  const server = new Server({ hostKeys: [hostKey.private] }, serve)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const port = (server.address() as AddressInfo).port
  const line = (publicKey: string) =>
    `[127.0.0.1]:${port} ${parsed(publicKey).type} ${parsed(publicKey).getPublicSSH().toString("base64")}\n`
  const knownHosts = join(dir, "known_hosts")
  writeFileSync(knownHosts, `# test\n${line(hostKey.public)}`)
  const wrongKnownHosts = join(dir, "known_hosts.wrong")
  writeFileSync(wrongKnownHosts, line(otherHost.public))
  const keyFile = join(dir, "id_ed25519")
  writeFileSync(keyFile, userKey.private, { mode: 0o600 })
  const otherKeyFile = join(dir, "id_other")
  writeFileSync(otherKeyFile, otherUser.private, { mode: 0o600 })
  return {
    port,
    root,
    knownHosts,
    keyFile,
    wrongKnownHosts,
    otherKeyFile,
    logins: () => logins,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
