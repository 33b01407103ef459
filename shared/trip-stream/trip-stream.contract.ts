import { afterAll, describe, expect, test } from "bun:test";
import { until } from "../../tests/support/until.ts";
import { compareEntryIds, type TripBatch, type TripStream, type TripStreamSettings } from "./trip-stream.ts";

export interface TripStreamContractOptions {
  name: string;
  /**
   * A new TripStream with these settings. Calls with the same `space` share streams when
   * the adapter is shared between processes (another gateway, another worker); a new
   * space is fresh. The suite closes what it gets.
   */
  create: (settings: Partial<TripStreamSettings>, space: string) => Promise<TripStream>;
  features: {
    /** Two instances over the same space (two processes) see each other's appends and wake each other's watchers. */
    sharedAcrossInstances: boolean;
  };
}

const status = (type: string, key: string = crypto.randomUUID()): TripBatch => ({
  key,
  entries: [{ kind: "status", data: JSON.stringify({ type }) }],
});
const location = (at: number): TripBatch => ({
  series: { name: "location", at, minGapMs: 1_000 },
  entries: [
    { kind: "location", data: JSON.stringify({ at }) },
    { kind: "eta", data: JSON.stringify({ at }) },
  ],
});
const types = (entries: { data: string }[]) => entries.map((e) => (JSON.parse(e.data) as { type?: string; at?: number }).type ?? "");

/** The suite every TripStream adapter passes; each adapter's test file calls it. */
export function runTripStreamContract(opts: TripStreamContractOptions): void {
  describe(`TripStream contract: ${opts.name}`, () => {
    const open: TripStream[] = [];
    afterAll(() => Promise.allSettled(open.map((s) => s.close())));
    const fresh = async (settings: Partial<TripStreamSettings> = {}, space = crypto.randomUUID()) => {
      const s = await opts.create(settings, space);
      open.push(s);
      return s;
    };
    const booking = () => crypto.randomUUID();

    test("an unknown stream reads as empty and not ended", async () => {
      const s = await fresh();
      expect(await s.read(booking(), { limit: 10 })).toEqual({ entries: [], ended: false, truncated: false });
    });

    test("entries come back in append order with increasing ids, after any id, up to the limit", async () => {
      const s = await fresh();
      const b = booking();
      expect(await s.append(b, [status("booking.requested"), status("booking.offered")])).toBe(2);
      expect(await s.append(b, [status("booking.accepted")])).toBe(1);
      const all = (await s.read(b, { limit: 10 })).entries;
      expect(types(all)).toEqual(["booking.requested", "booking.offered", "booking.accepted"]);
      expect(all.map((e) => e.kind)).toEqual(["status", "status", "status"]);
      for (let i = 1; i < all.length; i++) expect(compareEntryIds(all[i]!.id, all[i - 1]!.id)).toBeGreaterThan(0);
      expect(types((await s.read(b, { after: all[0]!.id, limit: 10 })).entries)).toEqual(["booking.offered", "booking.accepted"]);
      expect(types((await s.read(b, { after: all[0]!.id, limit: 1 })).entries)).toEqual(["booking.offered"]);
      expect((await s.read(b, { after: all[2]!.id, limit: 10 })).entries).toEqual([]);
      expect((await s.read(booking(), { limit: 10 })).entries).toEqual([]);
    });

    test("a batch with a key already taken appends nothing: a redelivered event is not streamed twice", async () => {
      const s = await fresh();
      const b = booking();
      const accepted = status("booking.accepted", "event-1");
      expect(await s.append(b, [status("booking.requested", "event-0"), accepted])).toBe(2);
      expect(await s.append(b, [accepted, status("booking.started", "event-2")])).toBe(1);
      expect(await s.append(b, [accepted])).toBe(0);
      expect(types((await s.read(b, { limit: 10 })).entries)).toEqual(["booking.requested", "booking.accepted", "booking.started"]);
    });

    test("a series takes a batch only if it is at least the gap after the last one: no repeat, nothing older, at most one a second", async () => {
      const s = await fresh();
      const b = booking();
      const t = 1_800_000_000_000;
      expect(await s.append(b, [location(t)])).toBe(2);
      expect(await s.append(b, [location(t)])).toBe(0);
      expect(await s.append(b, [location(t - 5_000)])).toBe(0);
      expect(await s.append(b, [location(t + 999)])).toBe(0);
      expect(await s.append(b, [location(t + 1_000), location(t + 1_500), location(t + 2_200)])).toBe(4);
      const ats = (await s.read(b, { limit: 10 })).entries.map((e) => `${e.kind}@${(JSON.parse(e.data) as { at: number }).at - t}`);
      expect(ats).toEqual(["location@0", "eta@0", "location@1000", "eta@1000", "location@2200", "eta@2200"]);
    });

    test("after a batch that ends the stream nothing is appended, and a read reaching the end says so", async () => {
      const s = await fresh();
      const b = booking();
      await s.append(b, [status("booking.requested")]);
      expect((await s.read(b, { limit: 10 })).ended).toBe(false);
      expect(await s.append(b, [{ ...status("booking.completed"), ends: true }, status("booking.late")])).toBe(1);
      expect(await s.append(b, [location(Date.now())])).toBe(0);
      const page = await s.read(b, { limit: 10 });
      expect(types(page.entries)).toEqual(["booking.requested", "booking.completed"]);
      expect(page.ended).toBe(true);
      expect((await s.read(b, { limit: 1 })).ended).toBe(false);
      expect(await s.read(b, { after: page.entries[1]!.id, limit: 10 })).toEqual({ entries: [], ended: true, truncated: false });
    });

    test("keeps the newest maxEntries; a resume from before them reads truncated, one after them does not", async () => {
      const s = await fresh({ maxEntries: 5 });
      const b = booking();
      for (let i = 0; i < 4; i++) await s.append(b, [status(`s${i}`)]);
      const early = (await s.read(b, { limit: 10 })).entries;
      for (let i = 4; i < 8; i++) await s.append(b, [status(`s${i}`)]);
      const kept = await s.read(b, { limit: 10 });
      expect(types(kept.entries)).toEqual(["s3", "s4", "s5", "s6", "s7"]);
      expect(kept.truncated).toBe(false);
      const lost = await s.read(b, { after: early[0]!.id, limit: 10 });
      expect(lost.truncated).toBe(true);
      expect(types(lost.entries)).toEqual(["s3", "s4", "s5", "s6", "s7"]);
      expect((await s.read(b, { after: early[2]!.id, limit: 10 })).truncated).toBe(false);
    });

    test("an ended stream expires endedTtlMs after its end; a live one liveTtlMs after its last append", async () => {
      const s = await fresh({ endedTtlMs: 300, liveTtlMs: 60_000 });
      const [ended, live] = [booking(), booking()];
      await s.append(ended, [{ ...status("booking.cancelled"), ends: true }]);
      await s.append(live, [status("booking.requested")]);
      await until(
        () => s.read(ended, { limit: 10 }),
        (p) => p.entries.length === 0 && !p.ended,
        "the ended stream to expire",
      );
      expect((await s.read(live, { limit: 10 })).entries).toHaveLength(1);
      const short = await fresh({ liveTtlMs: 300 });
      const abandoned = booking();
      await short.append(abandoned, [status("booking.accepted")]);
      await until(
        () => short.read(abandoned, { limit: 10 }),
        (p) => p.entries.length === 0,
        "the abandoned stream to expire",
      );
    });

    test("a watcher is called after appends to its booking only, until it stops watching", async () => {
      const s = await fresh();
      const [mine, other] = [booking(), booking()];
      let calls = 0;
      const stop = await s.watch(mine, () => calls++);
      await s.append(other, [status("booking.requested")]);
      await s.append(mine, [status("booking.requested")]);
      await until(
        () => calls,
        (n) => n >= 1,
        "the watcher to be called",
      );
      const seen = calls;
      await s.append(other, [status("booking.offered")]);
      await s.append(mine, [status("booking.requested", "dup")]);
      await s.append(mine, [status("booking.requested", "dup")]);
      await until(
        () => calls,
        (n) => n >= seen + 1,
        "the second append to be heard",
      );
      await stop();
      const stopped = calls;
      await s.append(mine, [status("booking.accepted")]);
      await s.read(mine, { limit: 10 });
      expect(calls).toBe(stopped);
    });

    if (opts.features.sharedAcrossInstances) {
      test("another instance (another process) reads the same entries under the same ids and is woken by their appends", async () => {
        const space = crypto.randomUUID();
        const [writer, reader] = [await fresh({}, space), await fresh({}, space)];
        const b = booking();
        let woken = 0;
        const stop = await reader.watch(b, () => woken++);
        await writer.append(b, [status("booking.requested", "e0"), location(Date.now())]);
        await until(
          () => woken,
          (n) => n >= 1,
          "the other instance's watcher to wake",
        );
        expect(await reader.read(b, { limit: 10 })).toEqual(await writer.read(b, { limit: 10 }));
        expect(await reader.append(b, [status("booking.requested", "e0")])).toBe(0);
        await stop();
      });
    } else {
      test("each instance holds its own streams (the adapter is for one process)", async () => {
        const space = crypto.randomUUID();
        const [writer, reader] = [await fresh({}, space), await fresh({}, space)];
        const b = booking();
        await writer.append(b, [status("booking.requested")]);
        expect((await reader.read(b, { limit: 10 })).entries).toEqual([]);
      });
    }
  });
}
