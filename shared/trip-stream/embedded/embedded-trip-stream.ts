import {
  compareEntryIds,
  DEFAULT_TRIP_STREAM,
  type TripBatch,
  type TripEntry,
  type TripPage,
  type TripStream,
  type TripStreamSettings,
} from "../trip-stream.ts";

interface Stream {
  entries: TripEntry[];
  /** The newest entry trimmed away, if any. */
  trimmedThrough: string | null;
  keys: Set<string>;
  series: Map<string, number>;
  ended: boolean;
  lastMs: number;
  seq: number;
  expiresAt: number;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * TripStream in process memory, for `bun run dev` and tests: one gateway and the
 * workers in one process, as the embedded log. Same ids (`<ms>-<seq>`), cap, skipping
 * and expiry as the Redis adapter. Where it departs from the port: it is not shared
 * between processes (a second process sees its own, empty streams), and it is lost on
 * restart (the log replay that rebuilds the geo index does not rebuild streams: clients
 * of trips in progress read on from what is appended after the restart).
 * Expired streams are dropped when touched and by a sweep every minute.
 */
export function createEmbeddedTripStream(settings: Partial<TripStreamSettings> = {}, now: () => number = Date.now): TripStream {
  const s = { ...DEFAULT_TRIP_STREAM, ...settings };
  const streams = new Map<string, Stream>();
  const watchers = new Map<string, Set<() => void>>();

  const live = (bookingId: string): Stream | undefined => {
    const stream = streams.get(bookingId);
    if (stream && stream.expiresAt <= now()) {
      streams.delete(bookingId);
      return undefined;
    }
    return stream;
  };
  const sweep = setInterval(() => {
    for (const id of streams.keys()) live(id);
  }, SWEEP_EVERY_MS);
  sweep.unref?.();

  const taken = (st: Stream, b: TripBatch): boolean => {
    if (st.ended) return false;
    if (b.key !== undefined && st.keys.has(b.key)) return false;
    const last = b.series && st.series.get(b.series.name);
    return !(b.series && last !== undefined && b.series.at < last + b.series.minGapMs);
  };

  const nextId = (st: Stream): string => {
    const ms = Math.max(now(), st.lastMs);
    st.seq = ms === st.lastMs ? st.seq + 1 : 0;
    st.lastMs = ms;
    return `${ms}-${st.seq}`;
  };

  return {
    async append(bookingId, batches) {
      let st = live(bookingId);
      if (!st) {
        st = { entries: [], trimmedThrough: null, keys: new Set(), series: new Map(), ended: false, lastMs: 0, seq: -1, expiresAt: 0 };
        streams.set(bookingId, st);
      }
      let appended = 0;
      for (const b of batches) {
        if (!taken(st, b)) continue;
        for (const e of b.entries) st.entries.push({ id: nextId(st), kind: e.kind, data: e.data });
        appended += b.entries.length;
        if (b.key !== undefined) st.keys.add(b.key);
        if (b.series) st.series.set(b.series.name, b.series.at);
        if (b.ends) st.ended = true;
      }
      if (st.entries.length > s.maxEntries) st.trimmedThrough = st.entries.splice(0, st.entries.length - s.maxEntries).at(-1)!.id;
      st.expiresAt = now() + (st.ended ? s.endedTtlMs : s.liveTtlMs);
      if (appended > 0) for (const w of watchers.get(bookingId) ?? []) w();
      return appended;
    },

    async read(bookingId, { after, limit }): Promise<TripPage> {
      const st = live(bookingId);
      if (!st) return { entries: [], ended: false, truncated: false };
      const from = after === undefined ? 0 : st.entries.findIndex((e) => compareEntryIds(e.id, after) > 0);
      const start = from === -1 ? st.entries.length : from;
      const entries = st.entries.slice(start, start + limit);
      const truncated = after !== undefined && st.trimmedThrough !== null && compareEntryIds(st.trimmedThrough, after) > 0;
      return { entries, ended: st.ended && start + entries.length === st.entries.length, truncated };
    },

    async watch(bookingId, onAppend) {
      let set = watchers.get(bookingId);
      if (!set) watchers.set(bookingId, (set = new Set()));
      const listener = () => onAppend();
      set.add(listener);
      return async () => {
        set.delete(listener);
        if (set.size === 0 && watchers.get(bookingId) === set) watchers.delete(bookingId);
      };
    },

    async close() {
      clearInterval(sweep);
      watchers.clear();
    },
  };
}
