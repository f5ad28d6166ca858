// PGlite is ONE Postgres session. pglite-socket lets many TCP connections
// share it, but its own queue (0.1.3) only keeps other connections out while
// an explicit transaction (BEGIN ... COMMIT) is open. Between the messages of
// one extended-protocol query (Parse, Bind, Execute ... Sync) it lets other
// connections in, and they share the session's unnamed prepared statement:
// a 4 MiB insert whose Bind arrives in several TCP chunks was seen to be bound
// to another connection's Parse ("bind message supplies 2 parameters, but
// prepared statement "" requires 1"). With matching parameter counts that
// would silently run the wrong statement.
//
// This lease gives the session to one connection at a time, for a whole unit
// of work: from its first message to the end of the query (Sync, or a simple
// Query), held on while that leaves a transaction block open, released at
// COMMIT/ROLLBACK. Other connections' messages wait, in arrival order.
// It has the shape pglite-socket's PGLiteSocketHandler expects of its queue.

import type { PGlite } from "@electric-sql/pglite";

interface Pending {
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]); // 'S', length 4
const ROLLBACK = simpleQuery("ROLLBACK");

export class SessionLease {
  /** The connection that holds the session, or null when it is free. */
  private owner: number | null = null;
  /** Messages per connection, in order; Map iteration order = arrival order of connections. */
  private readonly pending = new Map<number, Pending[]>();
  private running = false;

  constructor(private readonly db: PGlite) {}

  /** Called by PGLiteSocketHandler for each complete protocol message of a connection. */
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(handlerId) ?? [];
      queue.push({ message, onData, resolve, reject });
      this.pending.set(handlerId, queue);
      void this.drain();
    });
  }

  /** A connection went away: drop what it had queued. */
  clearQueueForHandler(handlerId: number): void {
    for (const item of this.pending.get(handlerId) ?? []) item.reject(new Error("connection closed"));
    this.pending.delete(handlerId);
  }

  /** A connection went away: if it held the session, reset the session and free it. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    // Raw protocol messages: db.exec() would wait for the lock runExclusive holds.
    await this.db
      .runExclusive(async () => {
        // Ends a half-sent extended query (and its error state), then any open transaction.
        await this.db.execProtocolRaw(SYNC).catch(() => undefined);
        if (this.db.isInTransaction()) await this.db.execProtocolRaw(ROLLBACK).catch(() => undefined);
      })
      .catch(() => undefined); // the database is closing
    this.owner = null;
    void this.drain();
  }

  getQueueLength(): number {
    let n = 0;
    for (const queue of this.pending.values()) n += queue.length;
    return n;
  }

  private next(): [number, Pending] | null {
    if (this.owner !== null) {
      // Only the owner may go on; if it has nothing queued yet, wait for it.
      const item = this.pending.get(this.owner)?.shift();
      return item ? [this.owner, item] : null;
    }
    for (const [handlerId, queue] of this.pending) {
      const item = queue.shift();
      if (!item) {
        this.pending.delete(handlerId);
        continue;
      }
      // Go to the back of the line next time, so one busy connection cannot starve the others.
      this.pending.delete(handlerId);
      if (queue.length > 0) this.pending.set(handlerId, queue);
      return [handlerId, item];
    }
    return null;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.next(); next; next = this.next()) {
        const [handlerId, item] = next;
        this.owner = handlerId;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          // Not an SQL error (those are protocol replies): the session itself failed.
          this.owner = null;
          item.reject(error as Error);
          continue;
        }
        if (endsUnit(item.message) && !this.db.isInTransaction()) this.owner = null;
        item.resolve(bytes);
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * True for the messages after which a connection may hand the session on:
 * Sync (end of an extended query), Query (a whole simple query), Terminate,
 * and the untyped startup, SSL and cancel requests (their first byte is the
 * high byte of a small length, 0).
 */
function endsUnit(message: Uint8Array): boolean {
  const type = message[0];
  return type === 0x53 /* S */ || type === 0x51 /* Q */ || type === 0x58 /* X */ || type === 0;
}

/** A simple-protocol Query message: 'Q', int32 length, the SQL, NUL. */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0, "ascii");
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}
