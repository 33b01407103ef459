import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { redisUrlFromEnv } from "../../shared/geo/redis/redis-test-env.ts";
import { prefixesDeletedAfterAll } from "../../shared/geo/redis/test-prefixes.ts";
import { runStatusHandlerCases } from "./status-handler.cases.ts";

const url = redisUrlFromEnv();
const prefixFor = prefixesDeletedAfterAll(url);

runStatusHandlerCases({
  name: "Redis",
  createGeo: () => createRedisGeoIndex({ url, prefix: prefixFor("status-handler") }),
});
