import {
  countDeadLetters,
  type DeadLetter,
  findDeadLetter,
  listDeadLetters,
  type RedriveFilter,
  type RedriveReport,
  redriveDeadLetters,
} from "../../cli/dead-letters.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import type { FlowWindow } from "./flow-sampler.ts";

/** What the operator routes read beyond the geo index and the history: the log's own state. */
export interface OperatorViews {
  /** Topic rates, group lag and dead letters over the last minutes (flow-sampler.ts). */
  flow(): FlowWindow;
  deadLetters: {
    count(topics: readonly string[]): Promise<Record<string, number>>;
    list(topic: string): Promise<DeadLetter[]>;
    find(topic: string, at: { partition: number; offset: number }): Promise<DeadLetter | undefined>;
    redrive(topic: string, filter: RedriveFilter): Promise<RedriveReport>;
  };
}

/** The views over a log, with the CLI's own dead-letter code (cli/dead-letters.ts): `fleet dlq` and the console do the same thing. */
export function operatorViews(log: EventLog, flow: () => FlowWindow): OperatorViews {
  return {
    flow,
    deadLetters: {
      count: (topics) => countDeadLetters(log, topics),
      list: (topic) => listDeadLetters(log, topic),
      find: (topic, at) => findDeadLetter(log, topic, at),
      redrive: (topic, filter) => redriveDeadLetters(log, topic, filter),
    },
  };
}
