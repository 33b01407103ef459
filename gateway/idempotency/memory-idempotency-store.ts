import type { OutboxEntry } from "../outbox/outbox.ts";
import type { IdempotencyStore, IdempotentRequest, PendingEntry, Remembered } from "./idempotency-store.ts";

/**
 * The IdempotencyStore in process memory: for a gateway on a runtime without libSQL
 * (the portable/edge build) and nothing else. Where it differs from the port's promise:
 * it forgets everything on restart and knows only this process's requests, so a replay
 * after a restart is treated as a first request — still the same booking and event ids,
 * deduped downstream, but a reused key with a different body goes unnoticed. Its outbox
 * dies with the process too: an event not yet acked is lost on a crash.
 */
export function createMemoryIdempotencyStore(now: () => number = Date.now): IdempotencyStore {
  const entries = new Map<string, { fingerprint: string; response: string; outbox: OutboxEntry }>();
  const outbox = new Map<number, OutboxEntry>();
  let lastSeq = 0;
  // Copies, as a database would hand back: a caller mutating a result cannot change what is stored.
  const copy = <T>(x: T): T => structuredClone(x);
  const olderPending = (seq: number): PendingEntry | null => {
    for (const e of outbox.values()) if (e.publishedAt === null) return e.seq < seq ? { seq: e.seq, createdAt: e.createdAt } : null;
    return null;
  };
  return {
    async remember(r: IdempotentRequest): Promise<Remembered> {
      const id = JSON.stringify([r.operation, r.scope, r.key]);
      const found = entries.get(id);
      const enqueue = (): OutboxEntry => {
        const entry: OutboxEntry = { seq: ++lastSeq, record: copy(r.record), createdAt: now(), publishedAt: null };
        outbox.set(entry.seq, entry);
        return entry;
      };
      if (!found) {
        const entry = enqueue();
        entries.set(id, { fingerprint: r.fingerprint, response: JSON.stringify(r.response), outbox: entry });
        return { kind: "first", response: r.response, outbox: copy(entry), olderPending: olderPending(entry.seq) };
      }
      if (found.fingerprint !== r.fingerprint) return { kind: "conflict" };
      if (!outbox.has(found.outbox.seq)) found.outbox = enqueue();
      return {
        kind: "replay",
        response: JSON.parse(found.response),
        outbox: copy(found.outbox),
        olderPending: olderPending(found.outbox.seq),
      };
    },
    outbox: {
      async pending(limit, createdUpTo) {
        const due: OutboxEntry[] = [];
        for (const e of outbox.values()) {
          if (due.length >= limit) break;
          if (e.publishedAt === null && e.createdAt <= createdUpTo) due.push(copy(e));
        }
        return due;
      },
      async markPublished(seqs) {
        const at = now();
        for (const seq of seqs) {
          const e = outbox.get(seq);
          if (e && e.publishedAt === null) e.publishedAt = at;
        }
      },
      async depth() {
        return [...outbox.values()].filter((e) => e.publishedAt === null).length;
      },
      async prunePublished(before) {
        let n = 0;
        for (const [seq, e] of outbox) if (e.publishedAt !== null && e.publishedAt < before && outbox.delete(seq)) n++;
        return n;
      },
    },
    close: () => {
      entries.clear();
      outbox.clear();
    },
  };
}
