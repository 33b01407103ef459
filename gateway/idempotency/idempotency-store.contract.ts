import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { IdempotencyStore, IdempotentRequest, Remembered } from "./idempotency-store.ts";

/**
 * The IdempotencyStore contract, run by each adapter's test file. `create` gives an
 * empty store; `reopen` (adapters that persist) gives a new store over the same data.
 */
export function runIdempotencyStoreContract(opts: {
  name: string;
  create: () => Promise<IdempotencyStore>;
  reopen?: () => Promise<IdempotencyStore>;
}): void {
  describe(`IdempotencyStore: ${opts.name}`, () => {
    let store: IdempotencyStore;
    beforeEach(async () => {
      store = await opts.create();
    });
    afterEach(() => store.close());

    const request = (over: Partial<IdempotentRequest> = {}): IdempotentRequest => ({
      operation: "bookings.create",
      scope: "cust-1",
      key: "k-1",
      fingerprint: "f-1",
      response: { bookingId: "b-1", fare: { amount: 10.5 } },
      record: { topic: "bookings", key: "b-1", value: '{"id":"e-1"}', headers: { type: "t" } },
      ...over,
    });

    test("the first request is stored; a replay with the same fingerprint gets what the first stored", async () => {
      expect(await store.remember(request())).toMatchObject({ kind: "first", response: request().response });
      const replay = await store.remember(
        request({ response: { bookingId: "other" }, record: { topic: "bookings", key: "b-1", value: '{"id":"e-2"}' } }),
      );
      expect(replay).toMatchObject({ kind: "replay", response: request().response, outbox: { record: request().record } });
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

    test("the first request's record is outboxed unpublished; replays and conflicts add nothing", async () => {
      const first = await store.remember(request());
      if (first.kind === "conflict") throw new Error("unexpected conflict");
      expect(first.outbox).toMatchObject({ record: request().record, publishedAt: null });
      const replay = await store.remember(request({ record: { topic: "bookings", key: "b-1", value: "other" } }));
      expect(replay).toMatchObject({ kind: "replay", outbox: first.outbox });
      await store.remember(request({ fingerprint: "f-2", record: { topic: "bookings", key: "x", value: "conflicting" } }));
      expect(await store.outbox.depth()).toBe(1);
      expect(await store.outbox.pending(10, Date.now())).toEqual([first.outbox]);
    });

    test("pending is insertion order, limited, and skips entries created after the cut-off; marked entries leave it", async () => {
      const seqs: number[] = [];
      for (const k of ["a", "b", "c"]) {
        const r = await store.remember(request({ key: k, record: { topic: "t", key: k, value: k } }));
        if (r.kind !== "conflict") seqs.push(r.outbox.seq);
      }
      expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
      expect((await store.outbox.pending(2, Date.now())).map((e) => e.record.key)).toEqual(["a", "b"]);
      expect(await store.outbox.pending(10, 0)).toEqual([]);
      await store.outbox.markPublished([seqs[0]!, seqs[2]!]);
      expect((await store.outbox.pending(10, Date.now())).map((e) => e.record.key)).toEqual(["b"]);
      expect(await store.outbox.depth()).toBe(1);
      const replay = await store.remember(request({ key: "a", record: { topic: "t", key: "a", value: "a" } }));
      expect(replay.kind !== "conflict" && replay.outbox.publishedAt).toBeGreaterThan(0);
    });

    test("published entries older than the cut-off are pruned, pending ones never; a replay after pruning gets a fresh pending entry of the same record", async () => {
      const seqs: number[] = [];
      for (const k of ["a", "b"]) {
        const r = await store.remember(request({ key: k, record: { topic: "t", key: k, value: k } }));
        if (r.kind !== "conflict") seqs.push(r.outbox.seq);
      }
      await store.outbox.markPublished([seqs[0]!]);
      expect(await store.outbox.prunePublished(0)).toBe(0);
      expect(await store.outbox.prunePublished(Date.now() + 1)).toBe(1);
      expect((await store.outbox.pending(10, Date.now())).map((e) => e.record.key)).toEqual(["b"]);
      const replay = await store.remember(request({ key: "a", record: { topic: "t", key: "a", value: "a" } }));
      if (replay.kind === "conflict") throw new Error("conflict");
      expect(replay.outbox).toMatchObject({ record: { topic: "t", key: "a", value: "a" }, publishedAt: null });
      expect(replay.outbox.seq).toBeGreaterThan(seqs[1]!);
      expect(await store.outbox.depth()).toBe(2);
    });

    test("concurrent requests under different keys are each stored once, their entries in arrival order", async () => {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          store.remember(request({ key: `c-${i}`, record: { topic: "t", key: `r-${i}`, value: String(i) } })),
        ),
      );
      expect(results.map((r) => r.kind)).toEqual(Array(60).fill("first"));
      const seqs = results.map((r) => (r.kind === "conflict" ? -1 : r.outbox.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(60);
      expect((await store.outbox.pending(100, Date.now())).map((e) => e.record.value)).toEqual(results.map((_, i) => String(i)));
    });

    test("in one burst, a key's first request is stored, a same-body retry replays it and another body conflicts", async () => {
      const [first, again, other] = await Promise.all([
        store.remember(request({ key: "burst" })),
        store.remember(request({ key: "burst", response: { n: 2 } })),
        store.remember(request({ key: "burst", fingerprint: "f-other" })),
      ]);
      expect(first).toMatchObject({ kind: "first", response: request().response });
      expect(again).toMatchObject({ kind: "replay", response: request().response });
      expect(other).toEqual({ kind: "conflict" });
      expect(await store.outbox.depth()).toBe(1);
    });

    test("olderPending names the oldest entry still waiting for its ack when the request's own was written; none once it is marked", async () => {
      const a = await store.remember(request({ key: "a" }));
      if (a.kind === "conflict") throw new Error("conflict");
      expect(a.olderPending).toBeNull();
      const b = await store.remember(request({ key: "b" }));
      if (b.kind === "conflict") throw new Error("conflict");
      expect(b.olderPending).toEqual({ seq: a.outbox.seq, createdAt: a.outbox.createdAt });
      await Promise.all([store.outbox.markPublished([a.outbox.seq]), store.outbox.markPublished([b.outbox.seq])]);
      const c = await store.remember(request({ key: "c" }));
      expect(c.kind !== "conflict" && c.olderPending).toBeNull();
    });

    if (opts.reopen) {
      const reopen = opts.reopen;
      test("what was stored survives reopening", async () => {
        await store.remember(request());
        store.close();
        store = await reopen();
        expect(await store.remember(request())).toMatchObject({
          kind: "replay",
          response: request().response,
          outbox: { seq: 1, publishedAt: null },
        });
        expect(await store.remember(request({ fingerprint: "f-2" }))).toEqual({ kind: "conflict" });
      });
    }
  });
}
