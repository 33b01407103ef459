import { Registry } from "prom-client";
import type { GatewayDeps } from "../../gateway/deps.ts";
import { gatewayOverEmbeddedLog } from "../../gateway/testing.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { createLogNotifier } from "../../shared/notify/log/log-notifier.ts";
import { startBookingLoop } from "../../workers/booking/booking-loop.ts";
import { createBookingOutbox } from "../../workers/booking/outbox.ts";
import { WORKERS } from "../../workers/catalogue.ts";
import { DEFAULT_WORKER_SETTINGS } from "../../workers/settings.ts";
import { startWorkers } from "../../workers/start-workers.ts";

/**
 * The whole system in this process, as `bun run dev` runs it: the gateway app over an
 * embedded log, history and geo index in temp files, every worker of the catalogue
 * under the real runtime, and the booking timer loop. `flow.sample()` feeds the
 * operator console's charts. Not a test file.
 */
export async function startEmbeddedSystem(overrides: Partial<GatewayDeps> = {}, opts: { flowClock?: () => number } = {}) {
  const gw = await gatewayOverEmbeddedLog(overrides, opts);
  const logger = silentLogger();
  const publisher = gw.log.publisher();
  const outbox = createBookingOutbox(gw.history, publisher);
  const workers = await startWorkers(WORKERS, {
    log: gw.log,
    deps: {
      db: gw.history,
      geo: gw.geo,
      publisher,
      logger,
      notifier: createLogNotifier(logger),
      eta: createStraightLineEta(),
      surge: gw.surge,
      tripStream: gw.tripStream,
      outbox,
    },
    registry: new Registry(),
    logger,
    settings: DEFAULT_WORKER_SETTINGS,
  });
  const loop = startBookingLoop({ db: gw.history, publisher, outbox, logger, intervalMs: 50 });
  return {
    ...gw,
    async close() {
      await loop.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await gw.close();
    },
  };
}

export type EmbeddedSystem = Awaited<ReturnType<typeof startEmbeddedSystem>>;
