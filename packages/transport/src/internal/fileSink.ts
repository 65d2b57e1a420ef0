import * as fs from "node:fs/promises"

/**
 * The file operations a download makes: Node's `FileHandle` by default, swapped in tests to observe
 * them (when the data is synced, and how much of it).
 */
export interface File {
  writev(buffers: ReadonlyArray<NodeJS.ArrayBufferView>, position: number): Promise<{ bytesWritten: number }>
  datasync(): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/** What a download does on the file system: swapped in tests to observe it. */
export interface Files {
  /** Creates a new file at `path` (failing if anything is there) and opens it for writing. */
  readonly open: (path: string) => Promise<File>
  /** Makes the entries of `folder` durable (after a rename into it). */
  readonly syncFolder: (folder: string) => Promise<void>
}

/**
 * Node's file system: files created owner-only (`0600`) from the start and never over an existing
 * entry; a folder synced through a read-only handle, where the platform allows opening one.
 */
export const nodeFiles: Files = {
  open: (path) => fs.open(path, "wx", 0o600),
  syncFolder: async (folder) => {
    // Windows cannot open a folder: there, a rename is as durable as the platform makes it
    const handle = await fs.open(folder, "r").catch(() => undefined)
    if (handle === undefined) return
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }
}

/**
 * How much written data may wait in the page cache before it is synced (`fdatasync`) while the
 * download goes on. Writing a whole file and syncing it only at the end makes the last step wait
 * for the disk to take all of it; syncing as it goes lets the disk work while the network does.
 */
export const SYNC_EVERY_BYTES = 64 * 1024 * 1024

/** Bytes handed over but not yet written beyond which the sink stops accepting. */
const HOLD_BYTES = 4 * 1024 * 1024

/**
 * Writes running at once, each at its own position: while one waits for a thread of Node's pool
 * (on a busy machine, for a core), the next can run. One thread of the pool's four stays free for
 * the sync and for the rest of the program.
 */
const WRITES_IN_FLIGHT = 3

/**
 * Writes buffers to `file` one after the other, each `writev` at its own position (up to three at
 * once, each taking everything queued while the others ran), and syncs the data every
 * `syncEveryBytes` in the background. It stops accepting while
 * 4 MiB wait to be written or twice `syncEveryBytes` wait to be synced, and calls `onReady` when
 * it accepts again; `onError` on the first failed write or sync. `end` resolves once everything is
 * written and the file — data and size — is on disk (`fsync`).
 */
export class FileSink {
  private queue: Array<Buffer> = []
  private releases: Array<() => void> = []
  private queued = 0
  private written = 0
  private synced = 0
  private position = 0
  private writing = 0
  private syncing: Promise<void> | undefined
  private failed = false
  private ended: (() => void) | undefined

  constructor(
    private readonly file: File,
    private readonly syncEveryBytes: number,
    private readonly onReady: () => void,
    private readonly onError: () => void
  ) {}

  /** Queues `buffer`; `release` is called once it has been written. */
  write(buffer: Buffer, release?: () => void): void {
    if (buffer.length === 0) {
      release?.()
      return
    }
    this.queue.push(buffer)
    if (release !== undefined) this.releases.push(release)
    this.queued += buffer.length
    this.pump()
  }

  /** Whether more may be handed over now. */
  accepting(): boolean {
    return this.queued < HOLD_BYTES && this.written - this.synced < 2 * this.syncEveryBytes
  }

  /** Resolves once every queued byte is written and synced with the file's metadata; rejects on failure. */
  end(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.ended = () =>
        (this.syncing ?? Promise.resolve())
          .then(() => (this.failed ? Promise.reject() : this.file.sync()))
          .then(resolve, reject)
      this.pump()
    })
  }

  private fail() {
    if (this.failed) return
    this.failed = true
    this.onError()
  }

  private pump() {
    while (this.writing < WRITES_IN_FLIGHT && this.queue.length > 0 && !this.failed) {
      const batch = this.queue
      const releases = this.releases
      this.queue = []
      this.releases = []
      let size = 0
      for (const buffer of batch) size += buffer.length
      const position = this.position
      this.position += size
      this.writing++
      this.writeAll(batch, position).then(
        () => {
          this.writing--
          this.written += size
          this.queued -= size
          for (const release of releases) release()
          this.syncIfDue()
          if (this.accepting()) this.onReady()
          this.pump()
        },
        () => {
          this.writing--
          this.fail()
        }
      )
    }
    if (this.writing === 0 && this.queue.length === 0 && !this.failed) {
      const ended = this.ended
      this.ended = undefined
      ended?.()
    }
  }

  /** Writes every buffer at `position`, continuing after a partial write. */
  private async writeAll(buffers: ReadonlyArray<Buffer>, position: number): Promise<void> {
    let rest = buffers
    let total = 0
    while (rest.length > 0) {
      let skip = (await this.file.writev(rest, position + total)).bytesWritten
      total += skip
      const left: Array<Buffer> = []
      for (const buffer of rest) {
        if (skip >= buffer.length) skip -= buffer.length
        else {
          left.push(skip > 0 ? buffer.subarray(skip) : buffer)
          skip = 0
        }
      }
      rest = left
    }
  }

  private syncIfDue() {
    if (this.syncing !== undefined || this.failed || this.written - this.synced < this.syncEveryBytes) return
    const upTo = this.written
    this.syncing = this.file.datasync().then(
      () => {
        this.syncing = undefined
        this.synced = upTo
        this.syncIfDue()
        if (this.accepting()) this.onReady()
      },
      () => {
        this.syncing = undefined
        this.fail()
      }
    )
  }
}
