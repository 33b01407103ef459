import { runTripStreamContract } from "../trip-stream.contract.ts";
import { createEmbeddedTripStream } from "./embedded-trip-stream.ts";

runTripStreamContract({
  name: "embedded",
  create: async (settings) => createEmbeddedTripStream(settings),
  features: { sharedAcrossInstances: false },
});
