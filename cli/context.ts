import type { TopicSpec } from "../shared/events/topics.ts";
import type { EventLog } from "../shared/log/event-log.ts";

/** A consumer group the CLI knows by name, with the topics it consumes (a worker in workers/catalogue.ts). */
export interface GroupSpec {
  name: string;
  group: string;
  topics: readonly string[];
}

/** What `topics` ensures and what `lag`/`replay` resolve group names against; tests pass their own unique names. */
export interface CliCatalogue {
  topics: readonly TopicSpec[];
  groups: readonly GroupSpec[];
}

/** Everything a command touches: output goes through `out` so tests capture it in-process. */
export interface CliContext {
  log: EventLog;
  out: (line: string) => void;
  catalogue: CliCatalogue;
  /** Aborted on Ctrl-C: long reads stop, leave their group and return. */
  signal?: AbortSignal;
}

/** A parsed command, ready to run against a log. Parsing comes first so bad arguments never wait for a broker. */
export type PreparedCommand = (ctx: CliContext) => Promise<void>;
