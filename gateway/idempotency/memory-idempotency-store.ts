import type { IdempotencyStore, IdempotentRequest, Remembered } from "./idempotency-store.ts";

/**
 * The IdempotencyStore in process memory: for a gateway on a runtime without libSQL
 * (the portable/edge build) and nothing else. Where it differs from the port's promise:
 * it forgets everything on restart and knows only this process's requests, so a replay
 * after a restart is treated as a first request — still the same booking and event ids,
 * deduped downstream, but a reused key with a different body goes unnoticed.
 */
export function createMemoryIdempotencyStore(): IdempotencyStore {
  const entries = new Map<string, { fingerprint: string; response: string; event: string }>();
  return {
    async remember(r: IdempotentRequest): Promise<Remembered> {
      const id = JSON.stringify([r.operation, r.scope, r.key]);
      const found = entries.get(id);
      if (!found) {
        entries.set(id, { fingerprint: r.fingerprint, response: JSON.stringify(r.response), event: JSON.stringify(r.event) });
        return { kind: "first", response: r.response, event: r.event };
      }
      if (found.fingerprint !== r.fingerprint) return { kind: "conflict" };
      // Copies, as a database would hand back: a caller mutating a replay cannot change what is stored.
      return { kind: "replay", response: JSON.parse(found.response), event: JSON.parse(found.event) };
    },
    close: () => entries.clear(),
  };
}
