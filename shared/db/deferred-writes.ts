import type { InValue } from "@libsql/client";
import type { Db } from "./open-libsql.ts";

/** A statement that may wait for the database's next write transaction. */
export interface DeferredWrite {
  sql: string;
  args: InValue[];
}

interface Slot {
  write: DeferredWrite;
  /** performance.now() when it was first deferred (kept when a newer write replaces it). */
  since: number;
}

const pending = new WeakMap<Db, Map<string, Slot>>();

/**
 * Bookkeeping that need not be durable at once (deleting outbox rows the log already
 * acked) rides the next write transaction on `db` instead of costing a commit (an fsync)
 * of its own: writeTransaction runs what is deferred right after its BEGIN. A newer write
 * under the same `slot` replaces the older (e.g. "delete up to seq N" supersedes "up to M <
 * N"). Lost on a crash, which must be harmless: the caller re-derives it (a republished
 * record is deduped by its event id).
 */
export function deferWrite(db: Db, slot: string, write: DeferredWrite): void {
  let slots = pending.get(db);
  if (!slots) pending.set(db, (slots = new Map()));
  slots.set(slot, { write, since: slots.get(slot)?.since ?? performance.now() });
}

/** Takes everything deferred on `db` (for the transaction starting now). */
export function takeDeferred(db: Db): Map<string, Slot> | undefined {
  const slots = pending.get(db);
  if (!slots || slots.size === 0) return undefined;
  pending.delete(db);
  return slots;
}

/** Puts back what a failed transaction took, unless a newer write took its slot meanwhile. */
export function restoreDeferred(db: Db, taken: Map<string, Slot>): void {
  let slots = pending.get(db);
  if (!slots) pending.set(db, (slots = new Map()));
  for (const [slot, s] of taken) if (!slots.has(slot)) slots.set(slot, s);
}

/** How long the oldest deferred write on `db` has waited, ms; 0 when none. */
export function deferredForMs(db: Db): number {
  let oldest = Infinity;
  for (const s of pending.get(db)?.values() ?? []) oldest = Math.min(oldest, s.since);
  return oldest === Infinity ? 0 : performance.now() - oldest;
}
