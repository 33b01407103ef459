import { afterAll, describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedLog } from "../shared/log/embedded/embedded-log.ts";
import { runCliContract } from "./cli.contract.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fleet CLI on the embedded log", () => {
  runCliContract({ name: "embedded", create: () => createEmbeddedLog({ url: `file:${join(dir, "log.db")}` }) });
});
