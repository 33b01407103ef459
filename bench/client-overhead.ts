/**
 * What the typed client (openapi-fetch) costs a load generator, against raw fetch:
 * `bun bench/client-overhead.ts [--seconds S]`. A bare Bun.serve in its own process
 * answers every POST 202 with a small JSON body; this process sends the same 10-fix
 * request both ways, alternating rounds, closed loop at 64 connections, and prints both
 * request rates. The gateway would serve far fewer requests per second than this
 * server, so a gap here is an upper bound on what the client takes from a benchmark.
 */
import { parseArgs } from "node:util";
import { authAs, benchClient } from "./bench-client.ts";
import { closedLoop } from "./closed-loop.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "5" } } });
const SECONDS = Number(values.seconds);
const CONNECTIONS = 64;
const ROUNDS = 3;
const SERVER = `
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", async fetch(req) {
  await req.arrayBuffer();
  return new Response('{"accepted":10}', { status: 202, headers: { "content-type": "application/json" } });
} });
console.log(server.port);`;

const child = Bun.spawn(["bun", "-e", SERVER], { stdout: "pipe", stderr: "inherit" });
const { value } = await child.stdout.getReader().read();
const baseUrl = `http://127.0.0.1:${Number(new TextDecoder().decode(value).trim())}`;
const driverId = "drv-overhead";
const fixes = Array.from({ length: 10 }, (_, k) => ({ lat: 12.97 + k / 1e4, lng: 77.59, recordedAt: new Date().toISOString(), speed: 8 }));
const headers = { ...authAs("driver", driverId), "content-type": "application/json" };
const client = benchClient(baseUrl);

const raw = async () => {
  const res = await fetch(`${baseUrl}/v1/drivers/${driverId}/locations`, { method: "POST", headers, body: JSON.stringify({ fixes }) });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`raw: ${res.status}`);
};
const typed = async () => {
  const { response } = await client.POST("/v1/drivers/{driverId}/locations", {
    params: { path: { driverId } },
    headers: authAs("driver", driverId),
    body: { fixes },
  });
  if (response.status !== 202) throw new Error(`client: ${response.status}`);
};

try {
  await closedLoop({ concurrency: CONNECTIONS, seconds: 1, request: raw });
  await closedLoop({ concurrency: CONNECTIONS, seconds: 1, request: typed });
  const rates = { raw: [] as number[], client: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rates.raw.push((await closedLoop({ concurrency: CONNECTIONS, seconds: SECONDS, request: raw })).perSecond);
    rates.client.push((await closedLoop({ concurrency: CONNECTIONS, seconds: SECONDS, request: typed })).perSecond);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [r, c] = [median(rates.raw), median(rates.client)];
  process.stdout.write(
    `client overhead, ${CONNECTIONS} connections, ${ROUNDS}×${SECONDS} s each, 10-fix POST to a bare Bun.serve:\n` +
      `  raw fetch      ${Math.round(r)} req/s (rounds ${rates.raw.map(Math.round).join(", ")})\n` +
      `  openapi-fetch  ${Math.round(c)} req/s (rounds ${rates.client.map(Math.round).join(", ")})  = ${((c / r) * 100).toFixed(1)} % of raw\n`,
  );
} finally {
  child.kill();
  await child.exited;
}
