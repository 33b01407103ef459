import { afterAll } from "bun:test";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { runStatusHandlerCases } from "./status-handler.cases.ts";

const url = redisUrlFromEnv();
const prefixes: string[] = [];
afterAll(() => deletePrefixes(url, prefixes));

runStatusHandlerCases({
  name: "Redis",
  createGeo: () => {
    const prefix = uniquePrefix("status-handler");
    prefixes.push(prefix);
    return createRedisGeoIndex({ url, prefix });
  },
});
