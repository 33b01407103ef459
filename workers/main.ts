import { parseConfigOrExit } from "../shared/config/parse-config.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { TOPIC_CATALOGUE } from "../shared/events/topics.ts";
import { openEventLog } from "../shared/infra/open-event-log.ts";
import { openGeoIndex } from "../shared/infra/open-geo-index.ts";
import { openHistory } from "../shared/infra/open-history.ts";
import { openSurgeStore } from "../shared/infra/open-surge-store.ts";
import { openTripStream } from "../shared/infra/open-trip-stream.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { openNotifier } from "../shared/notify/open-notifier.ts";
import { startBookingLoop } from "./booking/booking-loop.ts";
import { createBookingOutbox } from "./booking/outbox.ts";
import { selectWorkers } from "./catalogue.ts";
import { WorkersConfigSchema } from "./config.ts";
import { startMaintenance } from "./maintenance.ts";
import { runProcess } from "./runtime/run-process.ts";
import { workerSettings } from "./settings.ts";
import { startWorkers } from "./start-workers.ts";
import { startSurgeLoop } from "./surge/surge-loop.ts";

/** `bun workers/main.ts [name…]`: runs the named workers (all when none) in this process. */
const config = parseConfigOrExit(WorkersConfigSchema, process.env, "workers");
if (!config.KAFKA_BROKERS) {
  // The embedded log is single-process: the gateway that publishes must share the process.
  process.stderr.write("workers: KAFKA_BROKERS must be set; to run everything embedded in one process use `bun run dev`\n");
  process.exit(2);
}
const logger = createLogger({ level: config.LOG_LEVEL, base: { process: "workers" } });
let specs: ReturnType<typeof selectWorkers>;
try {
  specs = selectWorkers(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`workers: ${(err as Error).message}\n`);
  process.exit(2);
}
const registry = createRegistry({ processMetrics: true });
const log = await openEventLog({ ...config, clientId: "fleet-workers" });
await log.admin().ensureTopics(TOPIC_CATALOGUE);
const db = await openHistory(config);
const geo = await openGeoIndex(config);
const notifier = openNotifier(config, logger);
const surge = await openSurgeStore(config);
if (!config.REDIS_URL) logger.warn("trip streams are kept in this process only: set REDIS_URL so that gateways can serve them");
const tripStream = await openTripStream(config);
const settings = workerSettings(config);
// One outbox per process: the booking and order workers write it, they and the booking loop drain it.
const outbox = createBookingOutbox(db, log.publisher());
const running = await startWorkers(specs, {
  log,
  deps: { db, geo, publisher: log.publisher(), logger, notifier, eta: createStraightLineEta(), surge, tripStream, outbox },
  registry,
  logger,
  settings,
});
// The trail has one writer: the process running the location worker also prunes it (maintenance.ts).
const maintenance = startMaintenance({
  db,
  geo,
  logger,
  staleAfterMs: config.STALE_AFTER_S * 1000,
  location: specs.some((s) => s.name === "location"),
});
// Booking timers and follow-ups left in the outbox live in the history db: the process running the booking or the order worker (which shares the outbox) fires them.
const bookingLoop = specs.some((s) => s.name === "booking" || s.name === "order")
  ? startBookingLoop({ db, publisher: log.publisher(), outbox, logger })
  : undefined;
// Multipliers fall back as demand leaves the window, booking or not: the process running the surge worker recomputes active zones.
const surgeLoop = specs.some((s) => s.name === "surge") ? startSurgeLoop({ deps: { geo, surge }, settings, logger }) : undefined;
const server = Bun.serve({
  port: config.METRICS_PORT,
  fetch: async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/metrics") return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
    if (path === "/healthz") return Response.json({ status: "ok", workers: running.map((w) => w.group) });
    return new Response("not found", { status: 404 });
  },
});
logger.info("workers running", { workers: specs.map((s) => s.name), eventLog: log.kind, metrics: `${server.url.href}metrics` });

await runProcess(running, {
  logger,
  cleanup: async () => {
    await maintenance.stop();
    await bookingLoop?.stop();
    await surgeLoop?.stop();
    await server.stop();
    await notifier.close();
    await log.close();
    await geo.close();
    await surge.close();
    await tripStream.close();
    db.close();
  },
});
