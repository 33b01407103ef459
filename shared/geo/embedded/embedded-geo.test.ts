import { runGeoIndexContract } from "../geo-index.contract.ts";
import { createEmbeddedGeoIndex } from "./embedded-geo.ts";

runGeoIndexContract({ name: "embedded", create: async () => createEmbeddedGeoIndex() });
