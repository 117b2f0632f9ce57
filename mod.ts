/**
 * nsnap: network snapshots and diffs.
 *
 * This module re-exports the library API; run as the main module, it runs the CLI.
 *
 * @example
 * ```ts
 * import { captureSnapshot, diffSnapshots, readSnapshot, renderDiffText } from "./mod.ts";
 * const before = await readSnapshot("before.json");
 * const after = await captureSnapshot();
 * console.log(renderDiffText(diffSnapshots(before, after, {})));
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
export { type CaptureOptions, captureSnapshot } from "./src/collect/mod.ts";
export { parseSnapshotBytes, readSnapshot } from "./src/snapshot/read.ts";
export { writeSnapshot } from "./src/snapshot/write.ts";
export { serializeSnapshot } from "./src/snapshot/serialize.ts";
export { normalizeSnapshot } from "./src/snapshot/normalize.ts";
export { redactSnapshot } from "./src/snapshot/redact.ts";
export * from "./src/diff/mod.ts";
export { renderDiffText } from "./src/render/diff_text.ts";
export { renderDiffMarkdown } from "./src/render/diff_markdown.ts";
export { renderDiffJson, renderDiffYaml } from "./src/render/diff_json.ts";
export {
  diffFleet,
  FLEET_DIFF_SCHEMA_ID,
  type FleetDiffDocument,
  fleetDiffJsonSchema,
  type FleetDiffOptions,
  pairMembers,
  parseFleetDiffDocument,
} from "./src/fleet/mod.ts";
export { loadMember, readFleetFolder } from "./src/fleet/folder.ts";
export { renderFleetText } from "./src/render/fleet_text.ts";
export { renderFleetMarkdown } from "./src/render/fleet_markdown.ts";
export { renderFleetJson, renderFleetYaml } from "./src/render/fleet_json.ts";
export { selectConnections } from "./src/view/select.ts";
export { socketsOnPort } from "./src/view/port.ts";
export { checkDocument, checkSnapshot } from "./src/check/evaluate.ts";
export { parsePolicy, readPolicy } from "./src/check/policy.ts";
export { initPolicy } from "./src/check/init.ts";
export { formatThreshold, parseThreshold } from "./src/check/expr.ts";
export { measureThreshold } from "./src/check/threshold.ts";
export { policyJsonSchema } from "./src/check/schema.ts";
export { checkJsonSchema, parseCheckDocument } from "./src/check/result.ts";
export { addressScope } from "./src/net/scope.ts";
export { detectFormat } from "./src/import/detect.ts";
export { importFiles } from "./src/import/mod.ts";

if (import.meta.main) {
  exit(await main(args()));
}
