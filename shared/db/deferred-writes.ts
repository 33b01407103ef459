import type { InValue } from "@libsql/client";

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

/**
 * Bookkeeping that need not be durable at once (deleting outbox rows the log already
 * acked) rides the next write transaction on its database instead of costing a commit
 * (an fsync) of its own: writeTransaction runs what is deferred right after its BEGIN. A
 * newer write under the same `slot` replaces the older (e.g. "delete up to seq N"
 * supersedes "up to M < N"). Lost on a crash, which must be harmless: the caller
 * re-derives it (a republished record is deduped by its event id). Each Db holds its own
 * (open-libsql.ts).
 */
export interface DeferredWrites {
  defer(slot: string, write: DeferredWrite): void;
  /** Takes everything deferred (for the transaction starting now). */
  take(): Map<string, Slot> | undefined;
  /** Puts back what a failed transaction took, unless a newer write took its slot meanwhile. */
  restore(taken: Map<string, Slot>): void;
  /** How long the oldest deferred write has waited, ms; 0 when none. */
  waitingMs(): number;
}

export function createDeferredWrites(): DeferredWrites {
  let slots = new Map<string, Slot>();
  return {
    defer(slot, write) {
      slots.set(slot, { write, since: slots.get(slot)?.since ?? performance.now() });
    },
    take() {
      if (slots.size === 0) return undefined;
      const taken = slots;
      slots = new Map();
      return taken;
    },
    restore(taken) {
      for (const [slot, s] of taken) if (!slots.has(slot)) slots.set(slot, s);
    },
    waitingMs() {
      let oldest = Infinity;
      for (const s of slots.values()) oldest = Math.min(oldest, s.since);
      return oldest === Infinity ? 0 : performance.now() - oldest;
    },
  };
}
