import { createFleetClient, type FleetClient } from "../clients/typescript/index.ts";

export { authAs } from "./bench-auth.ts";

/** The typed client (clients/typescript) the load generators call the gateway with: one per gateway, each caller's token per call (authAs). */
export function benchClient(baseUrl: string): FleetClient {
  return createFleetClient({ baseUrl });
}
