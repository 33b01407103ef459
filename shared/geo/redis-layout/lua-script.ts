/** A Lua script the runners send by SHA (EVALSHA), loading it only when the server lacks it. */
export interface LuaScript {
  /** Names the script in errors. */
  readonly name: string;
  readonly source: string;
}

export interface ScriptRun {
  script: LuaScript;
  keys: string[];
  args: string[];
}
