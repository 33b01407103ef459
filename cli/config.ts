import * as v from "valibot";
import { securityEnv } from "../gateway/auth/security-env.ts";
import { commonEnv } from "../shared/config/env-schema.ts";

/** The CLI opens only the event log, so it reads just what openEventLog needs (and `fleet token` the token settings), with the same rules as every process. */
export const CliConfigSchema = v.object({
  DATA_DIR: commonEnv.DATA_DIR,
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
  JWT_SECRET: securityEnv.JWT_SECRET,
  JWT_ISSUER: securityEnv.JWT_ISSUER,
  JWT_AUDIENCE: securityEnv.JWT_AUDIENCE,
});
