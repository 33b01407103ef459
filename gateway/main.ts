import { parseConfigOrExit } from "../shared/config/parse-config.ts";
import { TOPIC_CATALOGUE } from "../shared/events/topics.ts";
import { openEventLog } from "../shared/infra/open-event-log.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { createApp } from "./app.ts";
import { buildGatewayDeps } from "./build-deps.ts";
import { GatewayConfigSchema } from "./config.ts";

const config = parseConfigOrExit(GatewayConfigSchema, process.env, "gateway");
const logger = createLogger({ level: config.LOG_LEVEL, base: { process: "gateway" } });
const log = await openEventLog({ ...config, clientId: "fleet-gateway" });
await log.admin().ensureTopics(TOPIC_CATALOGUE);
const app = createApp(buildGatewayDeps(config, log, logger, createRegistry({ processMetrics: true })));
const server = Bun.serve({ port: config.PORT, fetch: app.fetch });
logger.info("gateway listening", { url: server.url.href, eventLog: log.kind });

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    logger.info("shutting down", { signal });
    await server.stop();
    await log.close();
    process.exit(0);
  });
}
