import { afterAll, describe, setDefaultTimeout } from "bun:test";
import { startUpstashBridge, type UpstashBridge } from "../../../tools/upstash-bridge/upstash-bridge.ts";
import { runGeoIndexContract } from "../geo-index.contract.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../redis/redis-test-env.ts";
import { createUpstashGeoIndex } from "./upstash-geo.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; over HTTP the random-metro scenario takes seconds.
setDefaultTimeout(60_000);

describe("upstash GeoIndex (through the REST bridge over REDIS_URL)", () => {
  const redisUrl = redisUrlFromEnv();
  const prefixes: string[] = [];
  let bridge: Promise<UpstashBridge> | undefined;
  // Started on first use, inside a test, so a failure to start fails that test with its reason.
  const started = () => (bridge ??= startUpstashBridge({ redisUrl, token: crypto.randomUUID() }));
  afterAll(async () => {
    await (await bridge)?.stop();
    await deletePrefixes(redisUrl, prefixes);
  });

  runGeoIndexContract({
    name: "upstash",
    async create() {
      const { url, token } = await started();
      const prefix = uniquePrefix("upstash-contract");
      prefixes.push(prefix);
      return createUpstashGeoIndex({ url, token, prefix });
    },
  });
});
