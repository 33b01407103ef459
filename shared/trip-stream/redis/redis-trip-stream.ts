import { createBunRedisRunner } from "../../geo/redis/bun-redis-runner.ts";
import { connectRedis } from "../../geo/redis/connect-redis.ts";
import type { RedisRunner } from "../../geo/redis-layout/redis-runner.ts";
import {
  compareEntryIds,
  DEFAULT_TRIP_STREAM,
  type TripEntry,
  type TripEntryKind,
  type TripPage,
  type TripStream,
  type TripStreamSettings,
} from "../trip-stream.ts";
import { type ChannelWatcher, createChannelWatcher } from "./channel-watcher.ts";
import { APPEND_TRIP, READ_TRIP } from "./trip-scripts.ts";

export interface RedisTripStreamOptions extends Partial<TripStreamSettings> {
  url: string;
  /** Prepended to every key and channel (tests, tenants sharing one Redis). */
  prefix?: string;
}

/**
 * The Redis keys of one booking's stream; all share the hash tag {<bookingId>}, so
 * every script is single-slot on a Redis Cluster:
 *
 *   <prefix>trip:{<bookingId>}           stream: fields k (kind), d (data JSON)
 *   <prefix>trip:{<bookingId>}:meta      hash: k:<batch key>, s:<series> (last at), end (last entry id)
 *   <prefix>trip:{<bookingId>}:appended  pub/sub channel: the last id of each append
 */
export function tripKeys(prefix: string, bookingId: string) {
  const base = `${prefix}trip:{${bookingId}}`;
  return { stream: base, meta: `${base}:meta`, channel: `${base}:appended` };
}

/**
 * TripStream on Redis Streams over Bun's client: the workers append, every gateway
 * reads and watches, so a client resumes on any gateway. Entry ids are Redis's own
 * `<ms>-<seq>`: the booking and location workers append to one stream side by side,
 * and ids Redis assigns are increasing whoever appends. A repeated append is skipped by
 * its batch key or series (trip-scripts.ts), checked in the same script as the XADD.
 *
 * Where it departs from the port: watching takes a pub/sub subscription on a second
 * connection per process (channel-watcher.ts); a message lost while it reconnects is
 * made up by calling every listener once it is back. A Redis that hangs without closing
 * the connection hangs the call (Bun's client has no per-command timeout). On a Redis
 * Cluster, PUBLISH reaches every node; SPUBLISH/SSUBSCRIBE would keep it in the slot's
 * shard, and Bun's client would have to speak Cluster first.
 */
export async function createRedisTripStream(opts: RedisTripStreamOptions): Promise<TripStream> {
  const runner = createBunRedisRunner(await connectRedis(opts.url));
  return redisTripStream(runner, createChannelWatcher(opts.url), opts);
}

export function redisTripStream(runner: RedisRunner, watcher: ChannelWatcher, opts: Omit<RedisTripStreamOptions, "url">): TripStream {
  const s = { ...DEFAULT_TRIP_STREAM, ...opts };
  const prefix = opts.prefix ?? "fs:";
  const ttl = [String(s.maxEntries), String(s.liveTtlMs), String(s.endedTtlMs)];

  return {
    async append(bookingId, batches) {
      if (batches.length === 0) return 0;
      const k = tripKeys(prefix, bookingId);
      const wire = batches.map((b) => ({
        ...(b.key === undefined ? {} : { key: b.key }),
        ...(b.series ? { series: b.series.name, at: String(b.series.at), gap: String(b.series.minGapMs) } : {}),
        ...(b.ends ? { ends: true } : {}),
        entries: b.entries.map((e) => [e.kind, e.data]),
      }));
      return Number(await runner.eval(APPEND_TRIP, [k.stream, k.meta, k.channel], [...ttl, JSON.stringify(wire)]));
    },

    async read(bookingId, { after, limit }): Promise<TripPage> {
      const k = tripKeys(prefix, bookingId);
      const [raw, endId, trimmed] = (await runner.eval(READ_TRIP, [k.stream, k.meta], [after ?? "", String(limit)])) as [
        [string, string[]][],
        string | null,
        string | null,
      ];
      const entries = raw.map(([id, fields]): TripEntry => {
        const f = fieldsOf(fields);
        return { id, kind: f.k as TripEntryKind, data: f.d ?? "{}" };
      });
      const reached = entries.at(-1)?.id ?? after;
      const ended = endId !== null && (endId === "" || reached === undefined || compareEntryIds(reached, endId) >= 0);
      return { entries, ended, truncated: after !== undefined && trimmed !== null && compareEntryIds(trimmed, after) > 0 };
    },

    watch: (bookingId, onAppend) => watcher.watch(tripKeys(prefix, bookingId).channel, onAppend),

    async close() {
      await watcher.close();
      await runner.close();
    },
  };
}

function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
