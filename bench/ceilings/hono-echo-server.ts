/**
 * Ceiling (b): Hono + JSON + valibot on the gateway's route and body schema (FixSchema),
 * answering 202 with the count like the gateway, but publishing nothing. The gap between
 * this and the real route is what publishing (and the gateway's middleware) costs.
 * `PORT=… bun bench/ceilings/hono-echo-server.ts`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema, FixSchema, MAX_FIXES_PER_REQUEST } from "../../shared/events/driver.ts";

const BodySchema = v.strictObject({ fixes: v.pipe(v.array(FixSchema), v.minLength(1), v.maxLength(MAX_FIXES_PER_REQUEST)) });

export function createEchoApp(): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.post("/v1/drivers/:driverId/locations", async (c) => {
    const driverId = v.safeParse(DriverIdSchema, c.req.param("driverId"));
    const body = v.safeParse(BodySchema, await c.req.json());
    if (!driverId.success || !body.success) return c.json({ title: "invalid" }, 422);
    return c.json({ accepted: body.output.fixes.length }, 202);
  });
  return app;
}

if (import.meta.main) Bun.serve({ port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1", fetch: createEchoApp().fetch });
