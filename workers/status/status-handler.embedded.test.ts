import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import { runStatusHandlerCases } from "./status-handler.cases.ts";

runStatusHandlerCases({ name: "the embedded geo index", createGeo: async () => createEmbeddedGeoIndex() });
