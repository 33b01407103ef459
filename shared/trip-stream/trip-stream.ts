/*
 * A booking's live stream: what its customer, its driver and operators follow over
 * SSE (GET /v1/bookings/{id}/stream). The workers append; every gateway reads, so no
 * gateway process keeps the stream in memory and a client can resume on any of them.
 */

/** The kinds of entry a stream carries; each is one SSE `event:` name. */
export const TRIP_ENTRY_KINDS = ["status", "location", "eta"] as const;
export type TripEntryKind = (typeof TRIP_ENTRY_KINDS)[number];

/** One entry as stored: `id` is the SSE id, increasing within a stream (compareEntryIds). */
export interface TripEntry {
  id: string;
  kind: TripEntryKind;
  /** The event's payload, a JSON object as the writer gave it. */
  data: string;
}

/**
 * Entries appended together, or not at all. A writer names each batch after what caused
 * it so that a redelivered or replayed cause never appends twice:
 * - `key`: a batch whose key the stream already took is skipped (a booking event's id);
 * - `series`: a batch is skipped unless `at` is at least `minGapMs` after the last batch
 *   taken for the same series name (positions: newest first, at most one per second, so
 *   a repeated or older fix is skipped too).
 * A batch with `ends` is the stream's last: nothing is appended after it, and the
 * stream expires a while later.
 */
export interface TripBatch {
  key?: string;
  series?: { name: string; at: number; minGapMs: number };
  entries: { kind: TripEntryKind; data: string }[];
  ends?: boolean;
}

export interface TripPage {
  /** Entries after the requested id, oldest first. */
  entries: TripEntry[];
  /** The stream ended and `entries` reach its last entry: nothing more will come. */
  ended: boolean;
  /** Entries after the requested id were trimmed away (the stream keeps the newest `maxEntries`). */
  truncated: boolean;
}

/**
 * Ordering of entries: appended batches of one stream are totally ordered, every entry
 * id is greater than the ones before it, and no id is reused while the stream lives.
 * Reads are consistent with appends that resolved before them. `watch` calls its
 * listener after appends (a hint to read; at most a few per append, maybe coalesced);
 * a listener that misses one (a reconnect) catches up on the next read.
 */
export interface TripStream {
  /** Appends each batch (TripBatch says which are skipped); resolves with the number of entries appended. */
  append(bookingId: string, batches: readonly TripBatch[]): Promise<number>;
  /** Up to `limit` entries after `after` (exclusive; from the start when absent). An unknown or expired stream reads as empty. */
  read(bookingId: string, opts: { after?: string; limit: number }): Promise<TripPage>;
  /** Calls `onAppend` after appends to the booking's stream until the returned function is called. Resolves once listening. */
  watch(bookingId: string, onAppend: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface TripStreamSettings {
  /** Entries kept per stream; older ones are trimmed (a client resuming from before them reads `truncated`). */
  maxEntries: number;
  /** A stream not ended expires this long after its last append (a trip abandoned without a terminal status). */
  liveTtlMs: number;
  /** An ended stream stays readable this long, so a client reconnecting after the end still gets it. */
  endedTtlMs: number;
}

/** Over an hour of a trip at one position a second plus ETAs; a day for trips never ended; an hour to resume after the end. */
export const DEFAULT_TRIP_STREAM: TripStreamSettings = { maxEntries: 5_000, liveTtlMs: 24 * 3_600_000, endedTtlMs: 3_600_000 };

/** Entry ids are `<ms>-<seq>` (Redis stream ids; the embedded adapter makes the same): compared as number pairs. */
export function compareEntryIds(a: string, b: string): number {
  const [am, as] = splitId(a);
  const [bm, bs] = splitId(b);
  return am === bm ? as - bs : am - bm;
}

/** What an entry id looks like, `<ms>-<seq>` (a client's Last-Event-ID is checked against it before use). */
export const ENTRY_ID_PATTERN = /^\d{1,16}-\d{1,16}$/;

function splitId(id: string): [number, number] {
  const dash = id.indexOf("-");
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
