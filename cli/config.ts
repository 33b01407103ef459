import * as v from "valibot";
import { commonEnv } from "../shared/config/env-schema.ts";

/** The CLI opens only the event log, so it reads just what openEventLog needs, with the same rules as every process. */
export const CliConfigSchema = v.object({
  DATA_DIR: commonEnv.DATA_DIR,
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
});
