import { createEmbeddedTripStream } from "../trip-stream/embedded/embedded-trip-stream.ts";
import { createRedisTripStream } from "../trip-stream/redis/redis-trip-stream.ts";
import type { TripStream } from "../trip-stream/trip-stream.ts";

/**
 * Redis Streams when REDIS_URL is set (shared by every worker and gateway process), else
 * the in-process stream that only `bun run dev` can use, as the embedded geo index.
 */
export async function openTripStream(s: { REDIS_URL?: string }): Promise<TripStream> {
  return s.REDIS_URL ? createRedisTripStream({ url: s.REDIS_URL }) : createEmbeddedTripStream();
}
