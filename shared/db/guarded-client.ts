import type { Client, InArgs, InStatement, ResultSet, Transaction, TransactionMode } from "@libsql/client";
import { RetryableError } from "../errors/errors.ts";

/**
 * A libSQL Client that enforces the storage rules (docs/architecture.md, storage rules):
 *
 * - SQLITE_BUSY is fatal for the client that saw it. After a busy error a `file:`
 *   connection can be left inside a transaction whose later writes "succeed" but never
 *   commit (libsql-client-ts#352), so the inner client is closed and replaced by a fresh
 *   one, and the operation fails with RetryableError (cause kept): the worker runtime
 *   retries the batch on the new client instead of dead-lettering it.
 * - Remote servers that cannot be reached (refused, reset, 5xx, socket closed) also
 *   fail with RetryableError: a libSQL outage pauses consumers, it never dead-letters.
 * - `file:` databases are used through one lane: each operation, and each transaction
 *   for its whole life, runs alone. The driver is synchronous, so a second connection
 *   waiting for the write lock blocks the event loop the lock holder needs to commit —
 *   an in-process deadlock that ends in SQLITE_BUSY after the busy timeout. Inside a
 *   transaction, use the transaction object only; the client waits for it to settle.
 */
export function guardedClient(create: () => Client, opts: { serialize: boolean }): Client {
  return new GuardedClient(create, opts.serialize);
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "HRANA_WEBSOCKET_ERROR",
  "HRANA_CLOSED_ERROR",
  "SERVER_ERROR",
]);

const codeOf = (err: unknown) => (err as { code?: unknown } | null)?.code;

class GuardedClient implements Client {
  #inner: Client;
  #generation = 0;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly create: () => Client,
    private readonly serialize: boolean,
  ) {
    this.#inner = create();
  }

  get closed(): boolean {
    return this.#closed;
  }
  get protocol(): string {
    return this.#inner.protocol;
  }

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return this.#run((c) => (typeof stmtOrSql === "string" ? c.execute(stmtOrSql, args) : c.execute(stmtOrSql)));
  }
  batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    return this.#run((c) => c.batch(stmts, mode));
  }
  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.#run((c) => c.migrate(stmts));
  }
  executeMultiple(sql: string): Promise<void> {
    return this.#run((c) => c.executeMultiple(sql));
  }
  sync() {
    return this.#run((c) => c.sync());
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    const release = await this.#acquire();
    const generation = this.#generation;
    try {
      const tx = await this.#inner.transaction(mode);
      return new GuardedTransaction(tx, release, (err) => this.#classify(err, generation));
    } catch (err) {
      release();
      throw this.#classify(err, generation);
    }
  }

  close(): void {
    this.#closed = true;
    this.#inner.close();
  }
  reconnect(): void {
    this.#closed = false;
    this.#inner.reconnect();
  }

  async #run<T>(op: (c: Client) => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    const generation = this.#generation;
    try {
      return await op(this.#inner);
    } catch (err) {
      throw this.#classify(err, generation);
    } finally {
      release();
    }
  }

  /** Waits for the lane (file: databases only); resolves with its release. */
  async #acquire(): Promise<() => void> {
    if (!this.serialize) return () => {};
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.#tail;
    this.#tail = before.then(() => mine);
    await before;
    return release;
  }

  #classify(err: unknown, generation: number): unknown {
    const code = codeOf(err);
    if (code === "SQLITE_BUSY") {
      if (generation === this.#generation && !this.#closed) this.#replace();
      return new RetryableError("libSQL database busy: client replaced, retry", undefined, { cause: err });
    }
    if (generation !== this.#generation && (code === "CLIENT_CLOSED" || code === "TRANSACTION_CLOSED")) {
      return new RetryableError("libSQL client was replaced after SQLITE_BUSY, retry", undefined, { cause: err });
    }
    if (typeof code === "string" && UNREACHABLE.has(code))
      return new RetryableError(`libSQL unreachable (${code}), retry`, undefined, { cause: err });
    return err;
  }

  #replace(): void {
    const old = this.#inner;
    this.#generation++;
    this.#inner = this.create();
    old.close();
  }
}

class GuardedTransaction implements Transaction {
  #released = false;

  constructor(
    private readonly tx: Transaction,
    private readonly release: () => void,
    private readonly classify: (err: unknown) => unknown,
  ) {}

  get closed(): boolean {
    return this.tx.closed;
  }
  execute(stmt: InStatement): Promise<ResultSet> {
    return this.#guard(() => this.tx.execute(stmt));
  }
  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.#guard(() => this.tx.batch(stmts));
  }
  executeMultiple(sql: string): Promise<void> {
    return this.#guard(() => this.tx.executeMultiple(sql));
  }
  commit(): Promise<void> {
    return this.#guard(() => this.tx.commit()).finally(() => this.#settle());
  }
  rollback(): Promise<void> {
    return this.#guard(() => this.tx.rollback()).finally(() => this.#settle());
  }
  close(): void {
    try {
      this.tx.close();
    } finally {
      this.#settle();
    }
  }

  async #guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.classify(err);
    }
  }

  #settle(): void {
    if (this.#released) return;
    this.#released = true;
    this.release();
  }
}
