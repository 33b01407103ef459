/**
 * The stream benchmark's load process (`bun bench/stream/load.ts <plan.json>`): one SSE
 * client per trip, as a rider's app would hold one, and, for trips, each driver posting
 * a fix every period through the gateway. Prints JSON lines on stdout: {"phase":
 * "measuring"} when the warm-up ends, {"phase":"storm"} when the reconnect storm starts,
 * then {"phase":"done","result":…}. Loopback only; bounded by the plan's windows.
 */
import { RedisClient } from "bun";
import { createParser } from "eventsource-parser";
import { tripKeys } from "../../shared/trip-stream/redis/redis-trip-stream.ts";
import { jsonHeadersAs } from "../bench-auth.ts";
import type { BenchTrip, StormResult, StreamLoadPlan, StreamLoadResult } from "./plan.ts";

const plan = (await Bun.file(process.argv[2]!).json()) as StreamLoadPlan;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const M_PER_DEG = 111_195;
const CONNECT_TIMEOUT_MS = 60_000;
/** Riders open their streams over time, not all in one instant: this many at once while the level ramps up. */
const RAMP = 250;
const STORM_WINDOW_MS = 60_000;

let measuring = false;
let stormAt = 0;
const latencies: number[] = [];
const events: Record<string, number> = {};
const fixes = { posted: 0, accepted: 0, refused: 0, refusedBy: {} as Record<string, number>, skipped: 0 };
const refuse = (why: string) => {
  fixes.refused++;
  fixes.refusedBy[why] = (fixes.refusedBy[why] ?? 0) + 1;
};

class Client {
  ids: string[] = [];
  abort = new AbortController();
  generation = 0;
  recoveredAt = 0;
  open = false;
  constructor(
    readonly trip: BenchTrip,
    readonly index: number,
  ) {}

  /** Drops the connection; whatever it had still in flight is not counted. */
  close(): void {
    this.generation++;
    this.abort.abort();
  }

  async connect(): Promise<boolean> {
    const generation = ++this.generation;
    this.abort = new AbortController();
    const last = this.ids.at(-1);
    const path = plan.mode === "trips" ? `/v1/bookings/${this.trip.bookingId}/stream` : `/stream/${this.index}`;
    const headers: Record<string, string> = plan.mode === "trips" ? { ...jsonHeadersAs("customer", this.trip.customerId) } : {};
    if (last) headers["last-event-id"] = last;
    // A server too busy to answer within a minute counts as a failed (re)connection.
    const abort = this.abort;
    const late = setTimeout(() => abort.abort(), CONNECT_TIMEOUT_MS);
    try {
      const res = await fetch(plan.url + path, { headers, signal: abort.signal });
      clearTimeout(late);
      if (res.status !== 200) return false;
      this.open = true;
      void this.read(res, generation);
      return true;
    } catch {
      clearTimeout(late);
      return false;
    }
  }

  private async read(res: Response, generation: number): Promise<void> {
    const parser = createParser({
      onEvent: (e) => {
        // A connection dropped for the storm may still hand over a chunk it had read: not this connection's.
        if (generation !== this.generation) return;
        const now = Date.now();
        if (e.id) this.ids.push(e.id);
        events[e.event ?? "message"] = (events[e.event ?? "message"] ?? 0) + 1;
        if (generation > 1 && !this.recoveredAt) this.recoveredAt = now;
        if (measuring && e.event === "location")
          latencies.push(now - Date.parse((JSON.parse(e.data) as { recordedAt: string }).recordedAt));
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // Aborted by the storm or at the end.
    }
    if (generation === this.generation) this.open = false;
  }
}

/** Each driver posts its fix once a period, at its own offset in it, moving north at 8 m/s. */
function startDrivers(trips: BenchTrip[]): () => void {
  const started = Date.now();
  const sent = new Array<number>(trips.length).fill(-1);
  const posting = new Array<boolean>(trips.length).fill(false);
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [i, t] of trips.entries()) {
      const round = Math.floor((now - started - (i / trips.length) * plan.periodMs) / plan.periodMs);
      if (round <= sent[i]!) continue;
      sent[i] = round;
      // As a phone would: no second upload while the first is still going (it would send both fixes next time).
      if (posting[i]) {
        fixes.skipped++;
        continue;
      }
      posting[i] = true;
      const lat = t.lat + (round * 8 * (plan.periodMs / 1000)) / M_PER_DEG;
      const body = JSON.stringify({ fixes: [{ lat, lng: t.lng, speed: 8, heading: 0, recordedAt: new Date(now).toISOString() }] });
      fixes.posted++;
      fetch(`${plan.url}/v1/drivers/${t.driverId}/locations`, { method: "POST", headers: jsonHeadersAs("driver", t.driverId), body })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 202) fixes.accepted++;
          else refuse(String(res.status));
        })
        .catch(() => refuse("network"))
        .finally(() => (posting[i] = false));
    }
  }, 10);
  return () => clearInterval(timer);
}

async function checkAgainstStreams(
  clients: Client[],
  redisUrl: string,
): Promise<Pick<StormResult, "gaps" | "duplicates" | "checkedEntries">> {
  const redis = new RedisClient(redisUrl);
  let gaps = 0;
  let duplicates = 0;
  let checkedEntries = 0;
  try {
    const replies = await Promise.all(
      clients.map((c) =>
        c.ids.length === 0
          ? Promise.resolve([])
          : (redis.send("XRANGE", [tripKeys("fs:", c.trip.bookingId).stream, c.ids[0]!, c.ids.at(-1)!]) as Promise<[string, string[]][]>),
      ),
    );
    for (const [i, c] of clients.entries()) {
      duplicates += c.ids.length - new Set(c.ids).size;
      const stored = replies[i]!.map(([id]) => id);
      checkedEntries += stored.length;
      if (stored.join() !== [...new Set(c.ids)].join()) gaps++;
    }
  } finally {
    redis.close();
  }
  return { gaps, duplicates, checkedEntries };
}

const clients = plan.trips.map((t, i) => new Client(t, i));
const opened: boolean[] = [];
for (let i = 0; i < clients.length; i += RAMP) opened.push(...(await Promise.all(clients.slice(i, i + RAMP).map((c) => c.connect()))));
const stopDrivers = plan.mode === "trips" ? startDrivers(plan.trips) : () => {};
await Bun.sleep(plan.warmupS * 1000);
measuring = true;
say({ phase: "measuring" });
await Bun.sleep(plan.measureS * 1000);
measuring = false;
say({ phase: "measured" });

let storm: StormResult | undefined;
if (plan.storm && plan.mode === "trips") {
  say({ phase: "storm" });
  stormAt = Date.now();
  for (const c of clients) c.abort.abort();
  await Promise.all(clients.map((c) => c.connect()));
  const deadline = Date.now() + STORM_WINDOW_MS;
  while (Date.now() < deadline && clients.some((c) => !c.recoveredAt)) await Bun.sleep(50);
  stopDrivers();
  await Bun.sleep(3_000);
  // Closed before the check, so no client's ids grow while the stream is read.
  for (const c of clients) c.close();
  const recovered = clients.filter((c) => c.recoveredAt);
  storm = {
    clients: clients.length,
    recoverMs: recovered.map((c) => c.recoveredAt - stormAt),
    notRecovered: clients.length - recovered.length,
    ...(await checkAgainstStreams(clients, plan.redisUrl!)),
  };
}
stopDrivers();
for (const c of clients) c.close();
const result: StreamLoadResult = {
  streamsOpen: opened.filter(Boolean).length,
  streamsFailed: opened.filter((o) => !o).length,
  latencies,
  fixes,
  events,
  ...(storm ? { storm } : {}),
};
say({ phase: "done", result });
process.exit(0);
