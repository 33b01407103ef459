import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { IdempotencyStore, IdempotentRequest, Remembered } from "./idempotency-store.ts";

/**
 * The IdempotencyStore contract, run by each adapter's test file. `create` gives an
 * empty store; `reopen` (adapters that persist) gives a new store over the same data.
 */
export function runIdempotencyStoreContract(opts: { name: string; create: () => Promise<IdempotencyStore>; reopen?: () => Promise<IdempotencyStore> }): void {
  describe(`IdempotencyStore: ${opts.name}`, () => {
    let store: IdempotencyStore;
    beforeEach(async () => void (store = await opts.create()));
    afterEach(() => store.close());

    const request = (over: Partial<IdempotentRequest> = {}): IdempotentRequest => ({
      operation: "bookings.create",
      scope: "cust-1",
      key: "k-1",
      fingerprint: "f-1",
      response: { bookingId: "b-1", fare: { amount: 10.5 } },
      event: { id: "e-1", data: { n: 1 } },
      ...over,
    });

    test("the first request is stored; a replay with the same fingerprint gets what the first stored", async () => {
      expect(await store.remember(request())).toEqual({ kind: "first", response: request().response, event: request().event });
      const replay = await store.remember(request({ response: { bookingId: "other" }, event: { id: "e-2" } }));
      expect(replay).toEqual({ kind: "replay", response: request().response, event: request().event });
    });

    test("the same key with another fingerprint is a conflict", async () => {
      await store.remember(request());
      expect(await store.remember(request({ fingerprint: "f-2" }))).toEqual({ kind: "conflict" });
    });

    test("keys are per operation and per scope", async () => {
      await store.remember(request());
      expect((await store.remember(request({ scope: "cust-2", fingerprint: "f-2" }))).kind).toBe("first");
      expect((await store.remember(request({ operation: "orders.create", fingerprint: "f-3" }))).kind).toBe("first");
    });

    test("of many concurrent first requests exactly one is first; the rest replay it", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.remember(request({ key: "race", response: { n: i } }))));
      expect(results.filter((r) => r.kind === "first").length).toBe(1);
      const winner = results.find((r) => r.kind === "first") as Exclude<Remembered, { kind: "conflict" }>;
      for (const r of results.filter((r) => r.kind === "replay")) expect(r).toEqual({ ...winner, kind: "replay" });
    });

    if (opts.reopen) {
      const reopen = opts.reopen;
      test("what was stored survives reopening", async () => {
        await store.remember(request());
        store.close();
        store = await reopen();
        expect(await store.remember(request())).toEqual({ kind: "replay", response: request().response, event: request().event });
        expect(await store.remember(request({ fingerprint: "f-2" }))).toEqual({ kind: "conflict" });
      });
    }
  });
}
