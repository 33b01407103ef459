import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { gatewayOverEmbeddedLog } from "../../gateway/testing.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../../shared/events/topics.ts";
import { anyCase, type Case } from "./support/route-cases.ts";

/**
 * Issue "Prove nothing is lost…", item 3: every route, fed arbitrary and adversarial
 * requests in-process, answers 2xx or a 4xx problem+json (never 5xx, never a throw), and
 * no refused request reaches the log. Every topic's end offsets are read around each
 * request (one cheap query) and must grow by exactly one on the publishing route's topic
 * for a fresh 2xx and by nothing otherwise, so a stray publish names its own request
 * rather than a batch that fast-check would have to shrink against a stateful gateway.
 * Most requests carry a token of their route's own caller, so they get past auth and
 * exercise validation; the rest carry none, a broken, expired, forged or foreign one.
 */

// Bun ignores bunfig's timeout. The work is bounded (CASES requests); ~20 s on a quiet machine took over
// 120 s beside a CPU hog and other test runs, so the bound only guards against a hang.
setDefaultTimeout(600_000);

const SEED = 20_240_611;
const CASES = 5000;

// --- running ---------------------------------------------------------------------

/** The topic a fresh 2xx of this request published to; replays of an acked idempotent request publish nothing. */
function publishedTo(method: string, pathname: string, res: Response): string | undefined {
  if (res.headers.get("idempotent-replayed") === "true") return undefined;
  const m = method.toUpperCase();
  if (m === "POST" && /^\/v1\/drivers\/[^/]+\/locations$/.test(pathname)) return TOPICS.driverLocations;
  if (m === "PUT" && /^\/v1\/drivers\/[^/]+\/status$/.test(pathname)) return TOPICS.driverStatus;
  if (m === "POST" && /^\/v1\/bookings(\/[^/]+\/(accept|start|complete|cancel))?$/.test(pathname)) return TOPICS.bookings;
  if (m === "POST" && pathname === "/v1/orders") return TOPICS.orders;
  return undefined;
}

function describeCase(c: Case): string {
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
  return JSON.stringify({
    method: c.method,
    path: clip(c.path),
    headers: c.headers.map(([k, v]) => [k, clip(v)]),
    body: c.body === undefined ? undefined : clip(c.body),
  });
}

describe("every route, fuzzed", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  const histogram = new Map<string, number>();
  let cases = 0;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  const topics = TOPIC_CATALOGUE.map((t) => t.name);
  async function ends(): Promise<Map<string, number>> {
    const byTopic = new Map<string, number>(topics.map((t) => [t, 0]));
    for (const p of await gw.log.admin().lag("fuzz-probe", topics)) byTopic.set(p.topic, byTopic.get(p.topic)! + p.end);
    return byTopic;
  }

  /** Runs one case; returns the topic its fresh 2xx published to, or throws naming the case. */
  async function run(c: Case): Promise<string | undefined> {
    let req: Request;
    try {
      req = new Request(`http://localhost${c.path}`, { method: c.method, headers: c.headers, body: c.body });
    } catch {
      // fetch itself refuses it (a non-token header name or method): no server could ever receive it.
      histogram.set("unsendable", (histogram.get("unsendable") ?? 0) + 1);
      return undefined;
    }
    cases++;
    let res: Response;
    try {
      res = await gw.app.request(req);
    } catch (err) {
      throw new Error(`the app threw ${(err as Error).message} for ${describeCase(c)}`);
    }
    histogram.set(String(res.status), (histogram.get(String(res.status)) ?? 0) + 1);
    const text = await res.text();
    const fail = (why: string) =>
      new Error(`${why}: ${res.status} ${res.headers.get("content-type")} ${text.slice(0, 300)} for ${describeCase(c)}`);
    if (res.status >= 200 && res.status < 300) return publishedTo(req.method, new URL(req.url).pathname, res);
    if (res.status < 400 || res.status >= 500) throw fail("neither 2xx nor 4xx");
    if (res.headers.get("content-type") !== "application/problem+json") throw fail("a 4xx that is not problem+json");
    // HEAD answers carry the GET answer's headers without its body.
    if (req.method !== "HEAD" && (JSON.parse(text) as { status?: unknown }).status !== res.status)
      throw fail("a problem whose status is not the HTTP status");
    return undefined;
  }

  test("2xx or 4xx problem+json for every request, and only a fresh 2xx grows its route's topic, by one", async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        const before = await ends();
        const topic = await run(c);
        const after = await ends();
        const grown = Object.fromEntries(topics.map((t) => [t, after.get(t)! - before.get(t)!]));
        const expected = Object.fromEntries(topics.map((t) => [t, t === topic ? 1 : 0]));
        if (!Bun.deepEquals(grown, expected))
          throw new Error(`topics grew by ${JSON.stringify(grown)}, expected ${JSON.stringify(expected)}, for ${describeCase(c)}`);
      }),
      { numRuns: CASES, seed: SEED },
    );
    const statuses = [...histogram.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.log(`routes fuzz: ${cases} requests (seed ${SEED}); statuses ${statuses.map(([s, n]) => `${s}×${n}`).join(" ")}`);
    // Guards the generators: a fuzz that only ever hits 4xx would prove nothing about publishing.
    expect(histogram.get("202") ?? 0).toBeGreaterThan(cases / 20);
  });
});
