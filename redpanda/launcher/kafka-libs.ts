import { createHash } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { requireTool } from "./require-tool.ts";

const POM = resolve(import.meta.dir, "../kafka/pom.xml");
/** Git-ignored, shared by every checkout-local run so the jars are fetched once. */
export const DEFAULT_KAFKA_LIBS_DIR = resolve(import.meta.dir, "../../.services/kafka-libs");
/** Holds the hash of the pom the jars came from: editing the pom refetches. */
const STAMP = ".pom-sha256";

/**
 * The directory holding Apache Kafka's jars (a Java classpath of `<dir>/*`), fetched with
 * Maven from redpanda/kafka/pom.xml when the cache is empty or stale. The fetch goes to a
 * sibling temp dir renamed into place, so an interrupted fetch never looks complete.
 */
export async function ensureKafkaLibs(libsDir = DEFAULT_KAFKA_LIBS_DIR): Promise<string> {
  const pomHash = createHash("sha256")
    .update(await Bun.file(POM).text())
    .digest("hex");
  if (await isCurrent(libsDir, pomHash)) return libsDir;

  const mvn = requireTool("mvn", "fetching Apache Kafka's jars (no redpanda binary on PATH)");
  const staging = `${libsDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(libsDir), { recursive: true });
  console.error(`fetching Apache Kafka jars into ${libsDir} (once) …`);

  const cmd = [
    mvn,
    "-q",
    "-B",
    "-Dstyle.color=never",
    "-f",
    POM,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${staging}`,
    "-DincludeScope=runtime",
  ];
  const mvnRun = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(mvnRun.stdout).text(), new Response(mvnRun.stderr).text(), mvnRun.exited]);
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`fetching Kafka jars failed (mvn exit ${code}): ${cmd.join(" ")}\n${(out + err).slice(-4_000)}`);
  }
  await Bun.write(join(staging, STAMP), pomHash);
  return installFetched(staging, libsDir, pomHash);
}

/** Moves a complete fetch into place without pulling jars from under a run that finished its own fetch first. */
async function installFetched(staging: string, libsDir: string, pomHash: string): Promise<string> {
  if (await isCurrent(libsDir, pomHash)) {
    await rm(staging, { recursive: true, force: true });
    return libsDir;
  }
  await rm(libsDir, { recursive: true, force: true });
  try {
    await rename(staging, libsDir);
  } catch (error) {
    // A concurrent run may have put its own complete copy in place first; that one is as good.
    await rm(staging, { recursive: true, force: true });
    if (!(await isCurrent(libsDir, pomHash))) throw error;
  }
  return libsDir;
}

async function isCurrent(libsDir: string, pomHash: string): Promise<boolean> {
  const stamp = Bun.file(join(libsDir, STAMP));
  return (await stamp.exists()) && (await stamp.text()) === pomHash;
}

// CI calls this before the test phase so a slow Maven fetch is its own, visible step.
if (import.meta.main) {
  const libsDir = await ensureKafkaLibs(process.argv[2]);
  console.log(libsDir);
}
