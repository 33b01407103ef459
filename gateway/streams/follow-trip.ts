import type { SSEStreamingApi } from "hono/streaming";
import type { Logger } from "../../shared/logging/logger.ts";
import type { TripEntry, TripStream } from "../../shared/trip-stream/trip-stream.ts";

export interface FollowSettings {
  /** A comment line this often keeps proxies from closing an idle stream; each also re-reads, in case a wake-up was lost. */
  heartbeatMs: number;
  /** A client that has not taken a write within this long is cut off (it resumes with Last-Event-ID when it can keep up). */
  slowClientMs: number;
  /** Entries read (and so held in memory) at a time per client. */
  readBatch: number;
}

export const DEFAULT_FOLLOW: FollowSettings = { heartbeatMs: 15_000, slowClientMs: 10_000, readBatch: 100 };

export interface FollowHooks {
  logger: Logger;
  /** What the caller may see of an entry (the SSE data line); entries it returns undefined for are left out. */
  view: (entry: TripEntry) => string | undefined;
  onEntry: (kind: string) => void;
  onCutOff: () => void;
}

type Outcome = "ended" | "left" | "cut-off" | "failed";

/**
 * Writes a booking's stream to one SSE client from the entry after `after`, until the
 * stream ends, the client leaves, the client is too slow, or the stream store fails.
 * Nothing of the stream is kept here beyond one read of `readBatch` entries: the store
 * holds it, so the client may resume on any gateway, and a slow client costs this
 * process one batch, never a growing buffer. Each write waits for the client (the
 * response is pulled as the socket drains); one that waits longer than `slowClientMs`
 * cuts the client off. Wake-ups come from the store's watch; a heartbeat re-reads too.
 */
export async function followTrip(
  sse: SSEStreamingApi,
  trip: { stream: TripStream; bookingId: string; after?: string },
  s: FollowSettings,
  hooks: FollowHooks,
): Promise<Outcome> {
  let after = trip.after;
  let pending = true;
  let wake: (() => void) | undefined;
  const signal = () => {
    pending = true;
    wake?.();
  };
  sse.onAbort(signal);
  const unwatch = await trip.stream.watch(trip.bookingId, signal);
  let heartbeat: Promise<boolean> | undefined;
  const timer = setInterval(() => {
    heartbeat ??= timed(sse.write(": keep-alive\n\n"), s.slowClientMs).finally(() => (heartbeat = undefined));
    signal();
  }, s.heartbeatMs);
  try {
    while (!sse.aborted) {
      if (!pending) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      pending = false;
      if (sse.aborted) break;
      const page = await trip.stream.read(trip.bookingId, { after, limit: s.readBatch });
      if (
        page.truncated &&
        !(await timed(sse.writeSSE({ event: "truncated", data: '{"detail":"older entries were trimmed"}' }), s.slowClientMs))
      )
        return cutOff(sse, hooks);
      for (const entry of page.entries) {
        after = entry.id;
        const data = hooks.view(entry);
        if (data === undefined) continue;
        if (!(await timed(sse.writeSSE({ id: entry.id, event: entry.kind, data }), s.slowClientMs))) return cutOff(sse, hooks);
        hooks.onEntry(entry.kind);
      }
      if (page.ended) return "ended";
      if (page.entries.length === s.readBatch) pending = true;
      if (heartbeat && !(await heartbeat)) return cutOff(sse, hooks);
    }
    return "left";
  } catch (err) {
    // The client reconnects with its Last-Event-ID; the reason stays in the log.
    hooks.logger.warn("trip stream failed", { bookingId: trip.bookingId, error: (err as Error).message });
    return "failed";
  } finally {
    clearInterval(timer);
    await unwatch().catch(() => {});
  }
}

function cutOff(sse: SSEStreamingApi, hooks: FollowHooks): Outcome {
  hooks.onCutOff();
  sse.abort();
  return "cut-off";
}

/** Whether the write finished within `ms`. */
async function timed(write: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([write.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
