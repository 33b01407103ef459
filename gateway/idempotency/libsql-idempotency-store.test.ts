import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIdempotencyStoreContract } from "./idempotency-store.contract.ts";
import { openIdempotencyStore } from "./libsql-idempotency-store.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-idempotency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let url = "";

runIdempotencyStoreContract({
  name: "libSQL file",
  create: () => openIdempotencyStore({ url: (url = `file:${join(dir, `gateway-${n++}.db`)}`) }),
  reopen: () => openIdempotencyStore({ url }),
});
