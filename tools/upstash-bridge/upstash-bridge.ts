import { connectRedis, reconnectingSend } from "../../shared/geo/redis/connect-redis.ts";
import { createBridgeHandler } from "./bridge-handler.ts";
import { createTransactionLane } from "./transaction-lane.ts";

/**
 * A dev tool: the Upstash REST protocol over a real redis-server, so @upstash/redis
 * code (the gateway's edge read path) runs locally and in tests. No usable server for
 * this exists on npm (the known ones need Docker or lack base64 replies and MULTI/EXEC). Not for production: one shared connection, no TLS,
 * no sync tokens (read-your-writes is trivially true against one server).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 UPSTASH_REDIS_REST_TOKEN=dev [PORT=8079] bun tools/upstash-bridge/upstash-bridge.ts
 */
export interface UpstashBridgeOptions {
  redisUrl: string;
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface UpstashBridge {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startUpstashBridge(opts: UpstashBridgeOptions): Promise<UpstashBridge> {
  const redis = await connectRedis(opts.redisUrl);
  // Its own connection: a MULTI on the shared, auto-pipelined one would swallow other requests' commands.
  const txClient = await redis.duplicate();
  const fetch = createBridgeHandler({
    send: reconnectingSend(redis),
    lane: createTransactionLane(reconnectingSend(txClient)),
    token: opts.token,
  });
  const server = Bun.serve({ hostname: "127.0.0.1", port: opts.port ?? 0, fetch });
  return {
    url: `http://127.0.0.1:${server.port}`,
    token: opts.token,
    async stop() {
      await server.stop(true);
      txClient.close();
      redis.close();
    },
  };
}

if (import.meta.main) {
  const { REDIS_URL, UPSTASH_REDIS_REST_TOKEN, PORT } = process.env;
  if (!REDIS_URL || !UPSTASH_REDIS_REST_TOKEN) {
    console.error("REDIS_URL and UPSTASH_REDIS_REST_TOKEN must be set (the token clients will send as Bearer)");
    process.exit(2);
  }
  const bridge = await startUpstashBridge({ redisUrl: REDIS_URL, token: UPSTASH_REDIS_REST_TOKEN, port: Number(PORT ?? 8079) });
  console.log(
    `Upstash REST bridge → ${REDIS_URL}\nexport UPSTASH_REDIS_REST_URL=${bridge.url}\nexport UPSTASH_REDIS_REST_TOKEN=${bridge.token}`,
  );
  const shutdown = () => void bridge.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
