/**
 * The executable's entry point (`deno task build` compiles this file): runs the CLI and nothing
 * else. mod.ts also runs the CLI when it is the main module, but it re-exports the whole library
 * API, which an executable would then load before every command.
 */
import { main } from "./main.ts";
import { args, exit } from "../runtime/process.ts";

exit(await main(args()));
