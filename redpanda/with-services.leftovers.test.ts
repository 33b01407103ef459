import { expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { processesWhere } from "../tools/process-scan.ts";

/*
 * Issue 10, item 4: a test run that leaves a process behind fails, and the process is
 * killed. Both services are "provided" (set in the environment), so none is started.
 */

setDefaultTimeout(60_000);

const withServices = join(import.meta.dir, "with-services.ts");
const env = { ...process.env, REDIS_URL: "redis://127.0.0.1:1", KAFKA_BROKERS: "127.0.0.1:1" };

test("a command that leaves a process running (even in its own session) fails, and the process is killed", async () => {
  const tag = `leftover-${crypto.randomUUID()}`;
  const proc = Bun.spawn(
    ["bun", withServices, "--", "bash", "-c", `setsid bash -c 'sleep 300; echo ${tag}' >/dev/null 2>&1 < /dev/null & exit 0`],
    {
      env,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const code = await proc.exited;
  const stderr = await new Response(proc.stderr).text();
  expect(code).toBe(1);
  expect(stderr).toContain("process(es) running; killing them");
  expect(stderr).toContain(tag);
  expect(processesWhere((argv) => argv.includes(tag))).toEqual([]);
});

test("a command that cleans up after itself keeps its exit code", async () => {
  const ok = Bun.spawn(["bun", withServices, "--", "bash", "-c", "sleep 0.2 & wait; exit 0"], { env, stdout: "ignore", stderr: "ignore" });
  expect(await ok.exited).toBe(0);
  const failing = Bun.spawn(["bun", withServices, "--", "bash", "-c", "exit 3"], { env, stdout: "ignore", stderr: "ignore" });
  expect(await failing.exited).toBe(3);
});
