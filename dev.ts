import { join } from "node:path";
import { DevConfigSchema } from "./dev-config.ts";
import { createApp } from "./gateway/app.ts";
import { DEV_TOKENS_FILE, type DevTokens, loadOrCreateDevSecret, writeDevTokens } from "./gateway/auth/dev-credentials.ts";
import { authSettingsFrom } from "./gateway/auth/security-env.ts";
import { buildGatewayDeps } from "./gateway/build-deps.ts";
import { openIdempotencyStore } from "./gateway/idempotency/libsql-idempotency-store.ts";
import { startFlowSampler } from "./gateway/operator/flow-sampler.ts";
import { startOutboxRelay } from "./gateway/outbox/relay.ts";
import { openRateLimits } from "./gateway/ratelimit/open-rate-limits.ts";
import { serveGateway } from "./gateway/serve-gateway.ts";
import { parseConfigOrExit } from "./shared/config/parse-config.ts";
import { createStraightLineEta } from "./shared/eta/straight-line-eta.ts";
import { TOPIC_CATALOGUE } from "./shared/events/topics.ts";
import { openEventLog } from "./shared/infra/open-event-log.ts";
import { openGeoIndex } from "./shared/infra/open-geo-index.ts";
import { openHistory } from "./shared/infra/open-history.ts";
import { openSurgeStore } from "./shared/infra/open-surge-store.ts";
import { openTripStream } from "./shared/infra/open-trip-stream.ts";
import { createLogger } from "./shared/logging/logger.ts";
import { createRegistry } from "./shared/metrics/registry.ts";
import { openNotifier } from "./shared/notify/open-notifier.ts";
import { startBookingLoop } from "./workers/booking/booking-loop.ts";
import { busyWithOpenBookings } from "./workers/booking/booking-store.ts";
import { createBookingOutbox } from "./workers/booking/outbox.ts";
import { WORKERS } from "./workers/catalogue.ts";
import { startMaintenance } from "./workers/maintenance.ts";
import { runProcess } from "./workers/runtime/run-process.ts";
import { workerSettings } from "./workers/settings.ts";
import { startWorkers } from "./workers/start-workers.ts";
import { startSurgeLoop } from "./workers/surge/surge-loop.ts";

/**
 * `bun run dev`: the gateway and every worker in one process. With no environment
 * everything is embedded (event log and history in libSQL files under DATA_DIR, an
 * in-process geo index); KAFKA_BROKERS / REDIS_URL / LIBSQL_URL switch to real services.
 */
const config = parseConfigOrExit(DevConfigSchema, process.env, "dev");
const logger = createLogger({ level: config.LOG_LEVEL, base: { process: "dev" } });
const registry = createRegistry({ processMetrics: true });

const log = await openEventLog({ ...config, clientId: "fleet-dev" });
await log.admin().ensureTopics(TOPIC_CATALOGUE);
const db = await openHistory(config);
const geo = await openGeoIndex(config);
if (!config.REDIS_URL && !config.UPSTASH_REDIS_REST_URL) {
  // The in-process geo index starts empty: replay what feeds it (every write is
  // conditional on newer time, so replaying is safe) to rebuild it before serving.
  for (const w of WORKERS.filter((w) => w.rebuildsGeoIndex)) {
    for (const topic of w.topics) await log.admin().resetOffsets(w.group, topic, { to: "earliest" });
  }
  // Drivers that bookings made busy: the driver topics alone would bring them back available.
  await geo.setStatus(await busyWithOpenBookings(db.orm));
}
// Notifications are log lines unless NOTIFY_WEBHOOK_URL (+ NOTIFY_WEBHOOK_SECRET) points at a receiver.
const notifier = openNotifier(config, logger);
// In process unless REDIS_URL / Upstash: the gateway's quotes and the surge worker share it.
const surge = await openSurgeStore(config);
// In process unless REDIS_URL: the workers append, the gateway below reads and watches.
const tripStream = await openTripStream(config);
const eta = createStraightLineEta();
const settings = workerSettings(config);
// One outbox per process: the booking and order workers write it, they and the booking loop drain it.
const outbox = createBookingOutbox(db, log.publisher());
const workers = await startWorkers(WORKERS, {
  log,
  deps: { db, geo, publisher: log.publisher(), logger, notifier, eta, surge, tripStream, outbox },
  registry,
  logger,
  settings,
});
const maintenance = startMaintenance({ db, geo, logger, staleAfterMs: config.STALE_AFTER_S * 1000 });
const bookingLoop = startBookingLoop({ db, publisher: log.publisher(), outbox, logger });
const surgeLoop = startSurgeLoop({ deps: { geo, surge }, settings, logger });
// The gateway's own database: never the workers' history file (one writer per file, docs/architecture.md, storage rules).
const idempotency = await openIdempotencyStore({
  url: config.GATEWAY_DB_URL ?? `file:${join(config.DATA_DIR, "gateway.db")}`,
  authToken: config.GATEWAY_DB_AUTH_TOKEN,
});
// A configured key wins; without one, a dev secret kept in DATA_DIR and tokens for sample callers.
const auth = authSettingsFrom(config) ?? {
  key: { kind: "secret", secret: loadOrCreateDevSecret(config.DATA_DIR) },
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
};
const tokens =
  auth.key.kind === "secret"
    ? writeDevTokens(config.DATA_DIR, { secret: auth.key.secret, issuer: auth.issuer, audience: auth.audience })
    : undefined;
const rateLimits = openRateLimits(config);
const flow = startFlowSampler(log.admin(), logger);
const gatewayDeps = buildGatewayDeps(
  config,
  { log, geo, history: db, idempotency, auth, rateLimits, surge, flow: flow.window, tripStream, eta },
  logger,
  registry,
);
// Publishes what requests left in the outbox while the broker was down or slow.
const relay = startOutboxRelay({ outbox: idempotency.outbox, publisher: gatewayDeps.publisher, logger, registry });
const app = createApp(gatewayDeps);
const server = serveGateway(app, config);

const base = server.url.href.replace(/\/$/, "");
const json = "-H 'content-type: application/json'";
const as = (who: string) => `-H "authorization: Bearer $${who}"`;
const exports = (t: DevTokens) =>
  [
    ...t.drivers.map((d, i) => `export DRIVER_${i + 1}=${d.token}   # ${d.id}`),
    ...t.customers.map((c, i) => `export CUSTOMER_${i + 1}=${c.token}   # ${c.id}`),
    `export OPERATOR=${t.operator.token}`,
  ]
    .map((l) => `  ${l}`)
    .join("\n");
const tokenHelp = tokens
  ? `Tokens (30 days; also in ${join(config.DATA_DIR, DEV_TOKENS_FILE)}) — paste into your shell:\n${exports(tokens)}`
  : "Tokens: the gateway verifies RS256 tokens from your identity provider (JWT_PUBLIC_KEY / JWT_JWKS_URL); set DRIVER_1, CUSTOMER_1 and OPERATOR to some.";
process.stdout.write(`
fleetstream is running at ${base}  (event log: ${log.kind}, geo index: ${config.REDIS_URL ? "redis" : "embedded"}, data: ${config.LIBSQL_URL ?? config.DATA_DIR})
workers: ${WORKERS.map((w) => w.name).join(", ")}

${tokenHelp}

Try:
  curl -X PUT ${base}/v1/drivers/drv-1/status ${as("DRIVER_1")} ${json} -d '{"status":"available","vehicleType":"sedan"}'
  curl -X POST ${base}/v1/drivers/drv-1/locations ${as("DRIVER_1")} ${json} -d '{"fixes":[{"lat":12.9716,"lng":77.5946,"recordedAt":"'$(date -u +%FT%TZ)'"}]}'
  curl ${as("CUSTOMER_1")} '${base}/v1/drivers/nearby?lat=12.97&lng=77.59&radiusM=5000&vehicleType=sedan'
  curl -X POST ${base}/v1/bookings ${as("CUSTOMER_1")} ${json} -H "Idempotency-Key: $(uuidgen || date +%s%N)" -d '{"pickup":{"lat":12.9716,"lng":77.5946},"dropoff":{"lat":12.9352,"lng":77.6245},"vehicleType":"sedan"}'
  curl ${as("CUSTOMER_1")} ${base}/v1/bookings/<bookingId>
  curl -N ${as("CUSTOMER_1")} ${base}/v1/bookings/<bookingId>/stream     # live: statuses, the driver's moves and ETA (README, live trip stream)
  curl -X POST ${base}/v1/bookings/<bookingId>/accept ${as("DRIVER_1")} ${json} -d '{}'
  curl -X POST ${base}/v1/bookings/<bookingId>/arrive ${as("DRIVER_1")}
  curl -X POST ${base}/v1/bookings/<bookingId>/start ${as("DRIVER_1")} ${json} -d '{"pickupCode":"<pickupCode, in the customer view of the booking>"}'
  curl -X POST ${base}/v1/bookings/<bookingId>/complete ${as("DRIVER_1")}
  curl ${as("CUSTOMER_1")} '${base}/v1/surge?lat=12.97&lng=77.59&vehicleType=sedan'
  curl -X POST ${base}/v1/orders ${as("CUSTOMER_1")} ${json} -H "Idempotency-Key: $(uuidgen || date +%s%N)" -d '{"pickup":{"lat":12.9716,"lng":77.5946},"dropoff":{"lat":12.9352,"lng":77.6245},"trucks":[{"vehicleType":"tipper","quantity":2},{"vehicleType":"container","quantity":1}]}'
  curl ${as("CUSTOMER_1")} ${base}/v1/orders/<orderId>
  curl ${as("OPERATOR")} ${base}/metrics
  curl ${base}/healthz

API document ${base}/openapi.json, interactive docs ${base}/docs, operator console ${base}/console (paste $OPERATOR)

`);

await runProcess(workers, {
  logger,
  cleanup: async () => {
    await maintenance.stop();
    await bookingLoop.stop();
    await surgeLoop.stop();
    await server.stop();
    await relay.stop();
    await flow.stop();
    await notifier.close();
    await log.close();
    await geo.close();
    rateLimits.close();
    await surge.close();
    await tripStream.close();
    db.close();
    idempotency.close();
  },
});
