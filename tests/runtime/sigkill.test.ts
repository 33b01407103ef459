import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import { dlqTopicOf } from "../../shared/events/topics.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; two worker lifetimes and a session expiry take a while.
setDefaultTimeout(120_000);

const EVENTS = 5000;
const PARTITIONS = 6;
const FIXTURE = join(import.meta.dir, "fixtures", "counting-worker.ts");
const dir = mkdtempSync(join(tmpdir(), "fleet-sigkill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function brokers(): string {
  const raw = process.env.KAFKA_BROKERS;
  if (!raw) throw new Error("KAFKA_BROKERS is not set: run 'bun run test', which starts a broker");
  return raw;
}

async function counts(db: Db): Promise<{ rows: number; distinct: number }> {
  try {
    const rs = await db.client.execute("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM counted_effects");
    return { rows: Number(rs.rows[0]!.n), distinct: Number(rs.rows[0]!.d) };
  } catch {
    return { rows: 0, distinct: 0 }; // the worker has not created its table yet
  }
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

test("a worker SIGKILLed mid-run and restarted applies every event exactly once, and the group catches up", async () => {
  const suffix = `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const topic = `sigkill-${suffix}`;
  const group = `counting-${suffix}`;
  const url = `file:${join(dir, "effects.db")}`;
  const log = await createKafkaLog({ brokers: brokers().split(","), clientId: `sigkill-test-${suffix}`, logger: () => {} });
  const reader = await openLibsql({ url });
  try {
    await log.admin().ensureTopics([
      {
        name: topic,
        partitions: PARTITIONS,
        retentionMs: 3_600_000,
        cleanupPolicy: "delete",
        keyField: "driverId",
        description: "sigkill test",
      },
      {
        name: dlqTopicOf(topic),
        partitions: 1,
        retentionMs: 3_600_000,
        cleanupPolicy: "delete",
        keyField: "driverId",
        description: "sigkill test dead letters",
      },
    ]);
    const events = Array.from({ length: EVENTS }, (_, i) =>
      createEnvelope({ type: "driver.counted", key: `driver-${i % 40}`, source: "sigkill-test", data: { i } }),
    );
    for (let i = 0; i < EVENTS; i += 1000) {
      await log.publisher().publish(events.slice(i, i + 1000).map((e) => toRecord(topic, e)));
    }

    const spawnWorker = (delays: { inTx: number; afterTx: number }) =>
      Bun.spawn([process.execPath, FIXTURE], {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers(),
          TOPIC: topic,
          GROUP: group,
          LIBSQL_URL: url,
          DELAY_IN_TX_MS: String(delays.inTx),
          DELAY_AFTER_TX_MS: String(delays.afterTx),
        },
        stdout: "pipe",
        stderr: "pipe",
      });

    const started = performance.now();
    const first = spawnWorker({ inTx: 10, afterTx: 40 });
    await until(async () => (await counts(reader)).rows >= 1000, 60_000, "the first worker to apply 1000 events");
    first.kill("SIGKILL");
    expect(await first.exited).not.toBe(0);
    const afterKill = await counts(reader);
    expect(afterKill.rows).toBeLessThan(EVENTS);

    const second = spawnWorker({ inTx: 0, afterTx: 0 });
    const secondOut = new Response(second.stdout).text();
    const lagOf = async () => (await log.admin().lag(group, [topic])).reduce((n, p) => n + p.lag, 0);
    await until(async () => (await counts(reader)).rows >= EVENTS && (await lagOf()) === 0, 90_000, "the restarted worker to catch up");
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const final = await counts(reader);
    const marked = await reader.client.execute({
      sql: "SELECT count(*) AS n FROM processed_events WHERE consumer_group = ?",
      args: [group],
    });
    const lag = await lagOf();
    const skipped = (await secondOut)
      .split("\n")
      .filter((l) => l.includes('"msg":"applied"'))
      .reduce((n, l) => n + (JSON.parse(l) as { skipped: number }).skipped, 0);
    console.log(
      `sigkill: ${EVENTS} events over ${PARTITIONS} partitions; ${afterKill.rows} effects committed when SIGKILLed; ` +
        `after restart rows=${final.rows} distinct=${final.distinct} processed_events=${Number(marked.rows[0]!.n)} lag=${lag}; ` +
        `${skipped} redelivered events skipped by applyOnce; ${Math.round(performance.now() - started)} ms`,
    );
    expect(final).toEqual({ rows: EVENTS, distinct: EVENTS });
    expect(Number(marked.rows[0]!.n)).toBe(EVENTS);
    expect(lag).toBe(0);
  } finally {
    reader.close();
    await log.close();
  }
});
