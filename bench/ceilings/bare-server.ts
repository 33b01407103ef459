/**
 * Ceiling (a): the least an HTTP ingest can cost in Bun — `Bun.serve` reads the POST
 * body and answers 202, nothing else. `PORT=… bun bench/ceilings/bare-server.ts`.
 */
export function serveBare(port: number) {
  return Bun.serve({
    port,
    hostname: "127.0.0.1",
    async fetch(req) {
      if (req.method !== "POST") return new Response("ok");
      await req.arrayBuffer();
      return new Response(null, { status: 202 });
    },
  });
}

if (import.meta.main) serveBare(Number(process.env.PORT ?? 0));
