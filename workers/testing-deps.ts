import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { createEmbeddedTripStream } from "../shared/trip-stream/embedded/embedded-trip-stream.ts";
import type { WorkerDeps } from "./deps.ts";

/** The trip stream and ETA part of WorkerDeps for tests that do not look at streams: in process, straight-line. Not a test file. */
export function streamingDeps(): Pick<WorkerDeps, "tripStream" | "eta"> {
  return { tripStream: createEmbeddedTripStream(), eta: createStraightLineEta() };
}
