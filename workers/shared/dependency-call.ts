import { RetryableError } from "../../shared/errors/errors.ts";
import { errorPolicy } from "../runtime/retry.ts";

/**
 * Runs one call to a shared dependency (the geo index, the trip stream) so that its
 * failure pauses the partition instead of dead-lettering records: an error that carries
 * a policy keeps it; anything else, and a call still pending after `timeoutMs`, becomes
 * RetryableError (workers/location/geo-call.ts says why, for the geo index).
 */
export async function dependencyCall<T>(dependency: string, what: string, call: () => Promise<T>, timeoutMs: number): Promise<T> {
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
