import { afterAll, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedLog } from "../../shared/log/embedded/embedded-log.ts";
import { runWorkerRuntimeContract } from "./runtime.contract.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the scenarios wait for real consumers.
setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "fleet-runtime-embedded-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runWorkerRuntimeContract({
  name: "embedded",
  create: () => createEmbeddedLog({ url: `file:${join(dir, "log.db")}`, logger: { warn: () => {}, error: console.error } }),
});
