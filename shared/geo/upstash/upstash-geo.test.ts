import { describe, setDefaultTimeout } from "bun:test";
import { upstashBridgeForSuite } from "../../../tools/upstash-bridge/testing.ts";
import { runGeoIndexContract } from "../geo-index.contract.ts";
import { createUpstashGeoIndex } from "./upstash-geo.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; over HTTP the random-metro scenario takes seconds.
setDefaultTimeout(60_000);

describe("upstash GeoIndex (through the REST bridge over REDIS_URL)", () => {
  const bridge = upstashBridgeForSuite("upstash-contract");

  runGeoIndexContract({
    name: "upstash",
    async create() {
      return createUpstashGeoIndex(await bridge.connect());
    },
  });
});
