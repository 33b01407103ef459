import { join } from "node:path";
import { parseConfigOrExit } from "../shared/config/parse-config.ts";
import { openLibsql } from "../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { TOPIC_CATALOGUE } from "../shared/events/topics.ts";
import { openEventLog } from "../shared/infra/open-event-log.ts";
import { openGeoIndex } from "../shared/infra/open-geo-index.ts";
import { openSurgeStore } from "../shared/infra/open-surge-store.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { createRedisTripStream } from "../shared/trip-stream/redis/redis-trip-stream.ts";
import { createApp } from "./app.ts";
import { authSettingsFrom } from "./auth/security-env.ts";
import { buildGatewayDeps } from "./build-deps.ts";
import { GatewayConfigSchema } from "./config.ts";
import { openIdempotencyStore } from "./idempotency/libsql-idempotency-store.ts";
import { startFlowSampler } from "./operator/flow-sampler.ts";
import { startOutboxRelay } from "./outbox/relay.ts";
import { openRateLimits } from "./ratelimit/open-rate-limits.ts";
import { serveGateway } from "./serve-gateway.ts";

/**
 * The gateway on its own, for production: stateless, run as many as you like. It needs
 * shared services (a broker and Redis) because the embedded log and geo index live in
 * one process; for everything in one process on embedded defaults use `bun run dev`.
 */
const config = parseConfigOrExit(GatewayConfigSchema, process.env, "gateway");
if (!config.KAFKA_BROKERS || !(config.REDIS_URL || config.REDIS_CLUSTER_URLS || config.UPSTASH_REDIS_REST_URL)) {
  process.stderr.write(
    "gateway: KAFKA_BROKERS and REDIS_URL (or REDIS_CLUSTER_URLS, or UPSTASH_REDIS_REST_URL) must be set; to run everything embedded in one process use `bun run dev`\n",
  );
  process.exit(2);
}
// No key, no gateway: an unauthenticated production gateway must be impossible to start by omission.
let auth: ReturnType<typeof authSettingsFrom>;
try {
  auth = authSettingsFrom(config);
} catch (err) {
  process.stderr.write(`gateway: ${(err as Error).message}\n`);
  process.exit(2);
}
if (!auth) {
  process.stderr.write(
    "gateway: set JWT_SECRET (HS256), JWT_PUBLIC_KEY (RS256, PEM) or JWT_JWKS_URL (RS256) to verify bearer tokens; `bun run dev` generates a dev secret\n",
  );
  process.exit(2);
}
const logger = createLogger({ level: config.LOG_LEVEL, base: { process: "gateway" } });
const log = await openEventLog({ ...config, clientId: "fleet-gateway" });
await log.admin().ensureTopics(TOPIC_CATALOGUE);
const geo = await openGeoIndex(config);
// The surge worker's zone states, beside the geo index (Redis or Upstash): read to quote fares.
const surge = await openSurgeStore(config);
// Read-only use: the workers own the schema and its migrations.
const history = await openLibsql({
  url: config.LIBSQL_URL ?? `file:${join(config.DATA_DIR, "history.db")}`,
  authToken: config.LIBSQL_AUTH_TOKEN,
});
const idempotency = await openIdempotencyStore({
  url: config.GATEWAY_DB_URL ?? `file:${join(config.DATA_DIR, "gateway.db")}`,
  authToken: config.GATEWAY_DB_AUTH_TOKEN,
});
const rateLimits = openRateLimits(config);
// Live trip streams need the workers' Redis: Upstash's REST API has no pub/sub to wake a stream.
const tripStream = config.REDIS_URL ? await createRedisTripStream({ url: config.REDIS_URL }) : undefined;
if (!tripStream) logger.warn("GET /v1/bookings/{id}/stream answers 503: set REDIS_URL for live trip streams");
if (!rateLimits.shared) {
  logger.warn("rate limits counted per gateway process: set REDIS_CLUSTER_URLS or UPSTASH_REDIS_REST_URL to share them across gateways");
}
// Offsets only, every few seconds: the operator console's charts.
const flow = startFlowSampler(log.admin(), logger);
const deps = buildGatewayDeps(
  config,
  { log, geo, history, idempotency, auth, rateLimits, surge, flow: flow.window, tripStream, eta: createStraightLineEta() },
  logger,
  createRegistry({ processMetrics: true }),
);
// Publishes what requests left in the outbox while the broker was down or slow.
const relay = startOutboxRelay({ outbox: idempotency.outbox, publisher: deps.publisher, logger, registry: deps.registry });
const app = createApp(deps);
const server = serveGateway(app, config);
logger.info("gateway listening", { url: server.url.href, eventLog: log.kind });

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    logger.info("shutting down", { signal });
    await server.stop();
    await relay.stop();
    await flow.stop();
    await log.close();
    await geo.close();
    rateLimits.close();
    await surge.close();
    await tripStream?.close();
    history.close();
    idempotency.close();
    process.exit(0);
  });
}
