import { RetryableError } from "../../shared/errors/errors.ts";
import { errorPolicy } from "../runtime/retry.ts";

/** How long a worker's geo call may take before it counts as an outage. Batches take milliseconds. */
export const DEFAULT_GEO_TIMEOUT_MS = 5_000;

/**
 * Runs one GeoIndex call (or a call to another store in Redis, named by `dependency`:
 * the surge store) so that its failure pauses the partition instead of dead-lettering
 * records. How failures are classified:
 *
 * - An error that already carries a policy anywhere in its cause chain (RetryableError,
 *   NonRetriableError: an adapter that knows what went wrong) keeps it.
 * - Anything else becomes RetryableError, cause kept. That covers the connection-type
 *   failures of every adapter — refused/reset sockets, Bun's RedisClient "connection
 *   closed", fetch failures and 5xx from Upstash, Redis replies such as LOADING, BUSY,
 *   READONLY or OOM while it restarts or fails over — without a list that would miss
 *   the next client's spelling. It also covers a failure that is not about the
 *   connection (a WRONGTYPE reply from a key clash, an adapter bug): a worker's geo call
 *   carries the whole batch of schema-valid fixes or statuses, so its failure says
 *   nothing against any one record, and dead-lettering would only throw positions away.
 *   Such a failure stalls the partition until fixed; consumer lag shows it.
 * - A call still pending after `timeoutMs` is RetryableError too. Bun's RedisClient
 *   holds commands while it reconnects (~30 s with its defaults) and a batch handler
 *   that silent would miss its Kafka heartbeats. The abandoned call may still land
 *   later: harmless, since the index applies only what is newer than what it holds.
 */
export async function geoCall<T>(
  what: string,
  call: () => Promise<T>,
  timeoutMs = DEFAULT_GEO_TIMEOUT_MS,
  dependency = "geo index",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableError(`${dependency} ${what} took longer than ${timeoutMs} ms, retrying`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    if (errorPolicy(err).kind !== "failed") throw err;
    throw new RetryableError(`${dependency} ${what} failed, retrying: ${(err as Error)?.message ?? String(err)}`, undefined, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}
