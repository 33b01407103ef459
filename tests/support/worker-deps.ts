import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { createLogNotifier } from "../../shared/notify/log/log-notifier.ts";
import { createEmbeddedSurgeStore } from "../../shared/surge/embedded/embedded-surge-store.ts";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { createBookingOutbox } from "../../workers/booking/outbox.ts";
import type { WorkerDeps } from "../../workers/deps.ts";

/**
 * A worker process's deps for a test that runs real workers over its own history, geo
 * index and log: silent logs, notifications as (silent) log lines, straight-line ETAs, an
 * in-process surge store and trip stream, the booking outbox on the given history.
 */
export function testWorkerDeps(o: Pick<WorkerDeps, "db" | "geo" | "publisher">): WorkerDeps {
  return {
    ...o,
    outbox: createBookingOutbox(o.db, o.publisher),
    logger: silentLogger(),
    notifier: createLogNotifier(silentLogger()),
    eta: createStraightLineEta(),
    surge: createEmbeddedSurgeStore(),
    tripStream: createEmbeddedTripStream(),
  };
}
