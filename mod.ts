/**
 * nsnap: network snapshots and diffs.
 *
 * This module re-exports the library API; run as the main module, it runs the CLI.
 *
 * @example
 * ```ts
 * import { main } from "./mod.ts";
 * await main(["capture", "-o", "-"]);
 * ```
 * @module
 */
import { main } from "./src/cli/main.ts";
import { args, exit } from "./src/runtime/process.ts";

export { main } from "./src/cli/main.ts";
export * from "./src/model.ts";
export { snapshotJsonSchema } from "./src/schema.ts";
export { InputError, ParseError, UsageError } from "./src/errors.ts";
export { VERSION } from "./src/version.ts";

if (import.meta.main) {
  exit(await main(args()));
}
