import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import { runLocationHandlerCases } from "./location-handler.cases.ts";

runLocationHandlerCases({ name: "the embedded geo index", createGeo: async () => createEmbeddedGeoIndex() });
