import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { gatewayOverEmbeddedLog } from "../../gateway/testing.ts";
import { workerAccepts } from "../support/worker-validation.ts";
import { anyCase, type Case } from "./support/route-cases.ts";

/**
 * Issue 10, item 1, as a property: for every request the gateway answers 2xx, every
 * record it published parses as an envelope and passes the parse step of the worker
 * that consumes its topic (tests/support/worker-validation.ts: the workers' own
 * functions), so no accepted request is dead-lettered; and no request, whatever its
 * times or headers, is answered 5xx. The requests are the route fuzz's
 * (tests/fuzz/support/route-cases.ts): valid bodies, mutated ones, latitudes at and
 * beyond the geo index's edge, times with every offset spelling, control characters in
 * free text, over-long X-Request-Ids.
 */

// Bun ignores bunfig's timeout. The work is bounded (CASES requests); ~20 s on a quiet machine took over
// 120 s beside a CPU hog and other test runs, so the bound only guards against a hang.
setDefaultTimeout(600_000);

const SEED = 20_261_204;
const CASES = 4000;

function describeCase(c: Case): string {
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
  return JSON.stringify({
    method: c.method,
    path: clip(c.path),
    headers: c.headers.map(([k, v]) => [k, clip(v)]),
    body: c.body && clip(c.body),
  });
}

describe("accepted means applicable", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let accepted = 0;
  let records = 0;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  test("every record a 2xx published passes its consuming worker's parse; nothing is answered 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        let req: Request;
        try {
          req = new Request(`http://localhost${c.path}`, { method: c.method, headers: c.headers, body: c.body });
        } catch {
          return; // fetch itself refuses it: no server could receive it
        }
        const before = gw.sent.length;
        const res = await gw.app.request(req);
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${res.status} ${text.slice(0, 300)} for ${describeCase(c)}`);
        const sent = gw.sent.slice(before);
        if (res.status >= 300) {
          if (sent.length > 0) throw new Error(`a ${res.status} published ${sent.length} record(s) for ${describeCase(c)}`);
          return;
        }
        accepted++;
        for (const r of sent) {
          records++;
          try {
            workerAccepts(r);
          } catch (err) {
            throw new Error(
              `answered ${res.status}, but the worker refuses its ${r.topic} record: ${(err as Error).message} — ${describeCase(c)}`,
            );
          }
        }
      }),
      { numRuns: CASES, seed: SEED },
    );
    console.log(
      `accepted-applies fuzz: ${CASES} cases (seed ${SEED}); ${accepted} answered 2xx, ${records} records checked against their workers`,
    );
    // Guards the generators: a run that publishes next to nothing would prove nothing.
    expect(records).toBeGreaterThan(CASES / 40);
  });
});
