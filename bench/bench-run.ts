import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

/** What a bench entry point starts with and ends with. */
export interface BenchRun {
  /** Writes `[bench  12 s] msg` to stderr: the report itself goes to stdout. */
  progress(msg: string): void;
  /** The machine line of the report: cores, memory, Bun, load before the run. */
  machine: string;
  /** A fresh temporary directory, removed by finish(). */
  dataDir: string;
  /** Stops what the bench started, last started first; run by finish() and on SIGINT/SIGTERM. */
  cleanups: (() => Promise<unknown>)[];
  /** Runs the cleanups and forgets the signal handlers. */
  finish(): Promise<void>;
}

/** `name` names the data directory; `cores` says how the cores are shared, for the machine line. */
export async function startBenchRun(name: string, cores = "cores"): Promise<BenchRun> {
  const started = performance.now();
  const progress = (msg: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
  const machine = `${cpus().length} ${cores}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Bun ${Bun.version}, load average before the run ${load}`;
  progress(machine);
  const dataDir = await mkdtemp(join(tmpdir(), `fleetstream-bench-${name}-`));
  const cleanups: (() => Promise<unknown>)[] = [async () => rm(dataDir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((err: unknown) => console.error("[bench] cleanup:", err));
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    progress,
    machine,
    dataDir,
    cleanups,
    async finish() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await cleanup();
    },
  };
}

/** A bench's entry point: prints the report `run` makes from the command line, or the error and exits 1. */
export async function printBenchReport(run: (argv: string[]) => Promise<string>): Promise<void> {
  try {
    console.log(await run(process.argv.slice(2)));
  } catch (err) {
    console.error(`[bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  }
}
