import { freePorts } from "./free-ports.ts";
import { redisAnswersPing } from "./redis-probe.ts";
import { requireTool } from "./require-tool.ts";
import { type ServiceControl, startService } from "./service-process.ts";

export interface RedisService extends ServiceControl {
  url: string;
  port: number;
}

/**
 * A throwaway redis-server on a free port of 127.0.0.1. Nothing is persisted
 * (`--save ""`, no AOF), so it needs no data dir: a kill() + restart() comes back empty,
 * exactly like a Redis that lost its memory — which is what fault tests want to see.
 */
export async function startRedis(): Promise<RedisService> {
  const redisServer = requireTool("redis-server", "the local Redis");
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("no free port for Redis");
  const control = await startService({
    name: "redis-server",
    cmd: [redisServer, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    ready: () => redisAnswersPing(port),
    readyTimeoutMs: 10_000,
    stopGraceMs: 5_000,
  });
  return { url: `redis://127.0.0.1:${port}`, port, ...control };
}
