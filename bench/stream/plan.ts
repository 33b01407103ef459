/** One followed trip of the stream benchmark: its booking, customer and driver, and where the driver starts. */
export interface BenchTrip {
  bookingId: string;
  customerId: string;
  driverId: string;
  lat: number;
  lng: number;
}

/** What the load process (load.ts) is told, as a JSON file. */
export interface StreamLoadPlan {
  /** The gateway, or the bare SSE ceiling server. */
  url: string;
  /** "trips": follow /v1/bookings/{id}/stream and post the drivers' fixes; "ceiling": follow the bare server's /stream/{i}. */
  mode: "trips" | "ceiling";
  trips: BenchTrip[];
  /** Each driver posts a fix this often; the ceiling server pushes an event as often. */
  periodMs: number;
  warmupS: number;
  measureS: number;
  /** Then every client drops its connection and reconnects at once with Last-Event-ID (trips only). */
  storm: boolean;
  /** Streams and their keys, to check each client's ids against the stream after the storm. */
  redisUrl?: string;
}

/** What the load process reports; figures in ms. */
export interface StreamLoadResult {
  streamsOpen: number;
  streamsFailed: number;
  /** fix (device time = send time) → its `location` event at the client, measured window only. */
  latencies: number[];
  /** Fixes posted, answered 202, refused (by status), and not posted because the driver's previous post was still in flight. */
  fixes: { posted: number; accepted: number; refused: number; refusedBy: Record<string, number>; skipped: number };
  events: Record<string, number>;
  storm?: StormResult;
}

export interface StormResult {
  clients: number;
  /** Storm start → the client's first new event after its reconnect. */
  recoverMs: number[];
  /** Clients that did not recover before the window closed. */
  notRecovered: number;
  /** Clients whose ids, across both connections, differ from the stream's own between their first and last: a gap. */
  gaps: number;
  /** Ids a client received twice. */
  duplicates: number;
  checkedEntries: number;
}
