import type { Hono } from "hono";
import { IDLE_TIMEOUT_S, MAX_REQUEST_BODY_BYTES } from "./app.ts";

/** The gateway app on Bun's server, as `gateway/main.ts` and `bun run dev` both run it. */
export function serveGateway(app: Hono, at: { HOST: string; PORT: number }): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    hostname: at.HOST,
    port: at.PORT,
    fetch: app.fetch,
    // Bun cuts off bodies past this before the app sees them; the app answers 413 problem+json below it.
    maxRequestBodySize: 2 * MAX_REQUEST_BODY_BYTES,
    idleTimeout: IDLE_TIMEOUT_S,
  });
}
