import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { runIdempotencyStoreContract } from "./idempotency-store.contract.ts";
import { libsqlIdempotencyStore, openIdempotencyStore, SCHEMA } from "./libsql-idempotency-store.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-idempotency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let url = "";

runIdempotencyStoreContract({
  name: "libSQL file",
  create: () => openIdempotencyStore({ url: (url = `file:${join(dir, `gateway-${n++}.db`)}`) }),
  reopen: () => openIdempotencyStore({ url }),
});

describe("libSQL store: group commit", () => {
  test("a burst of requests and acks commits in a couple of write transactions, not one each", async () => {
    const db = await openLibsql({ url: `file:${join(dir, `group-${n++}.db`)}` });
    let writes = 0;
    const batch = db.client.batch.bind(db.client);
    const counted: Db = {
      ...db,
      client: new Proxy(db.client, {
        get(target, prop) {
          if (prop === "batch")
            return (stmts: Parameters<typeof batch>[0], mode?: Parameters<typeof batch>[1]) => {
              if (mode === "write") writes++;
              return batch(stmts, mode);
            };
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
    };
    await db.client.executeMultiple(SCHEMA);
    const store = libsqlIdempotencyStore(counted);
    try {
      const first = await store.remember(request("warm"));
      writes = 0;
      const burst = await Promise.all([
        ...Array.from({ length: 100 }, (_, i) => store.remember(request(`k-${i}`))),
        first.kind === "conflict" ? Promise.resolve() : store.outbox.markPublished([first.outbox.seq]),
      ]);
      expect(burst.slice(0, 100).every((r) => (r as { kind: string }).kind === "first")).toBe(true);
      expect(writes).toBe(1);
      expect(await store.outbox.depth()).toBe(100);
    } finally {
      store.close();
    }
  });
});

const request = (key: string) => ({
  operation: "bookings.create",
  scope: "cust-1",
  key,
  fingerprint: key,
  response: { key },
  record: { topic: "bookings", key, value: key },
});
