/**
 * The ceiling of the stream benchmark: a bare Bun.serve holding the same number of SSE
 * streams and pushing each one a `location` event every PERIOD_MS (spread evenly), with
 * no auth, no store and no broker. What the load client measures against it is the
 * cost of the fan-out itself on this machine, next to the gateway's in the same run.
 */
const port = Number(process.env.PORT);
const periodMs = Number(process.env.PERIOD_MS ?? 2_000);
const encoder = new TextEncoder();
const streams = new Set<{ controller: ReadableStreamDefaultController<Uint8Array>; slot: number; seq: number }>();
let slots = 0;

Bun.serve({
  port,
  hostname: "127.0.0.1",
  idleTimeout: 30,
  fetch(req) {
    if (new URL(req.url).pathname === "/healthz") return new Response("ok");
    let entry: { controller: ReadableStreamDefaultController<Uint8Array>; slot: number; seq: number } | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        entry = { controller, slot: slots++, seq: 0 };
        streams.add(entry);
      },
      cancel() {
        if (entry) streams.delete(entry);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  },
});

// Every 10 ms, the streams whose turn it is in the period get their event.
let tick = 0;
setInterval(() => {
  const ticks = periodMs / 10;
  const now = Date.now();
  for (const s of streams) {
    if (s.slot % ticks !== tick % ticks) continue;
    const data = JSON.stringify({ lat: 12.97, lng: 77.59, recordedAt: new Date(now).toISOString() });
    try {
      s.controller.enqueue(encoder.encode(`event: location\nid: ${now}-${s.seq++}\ndata: ${data}\n\n`));
    } catch {
      streams.delete(s);
    }
  }
  tick++;
}, 10);
