/**
 * `nsnap diff A B`: what changed between two snapshots (files, `-`, or `live`), as text, JSON,
 * YAML or Markdown, with `--fail-on KINDS` for CI (exit 1) and ignore rules from flags or a
 * policy file.
 */
import { readFileSync } from "node:fs";
import { type Command, Option } from "@commander-js/extra-typings";
import { type DiffConfig, parseDiffConfig } from "../diff/config.ts";
import {
  ALL_KINDS,
  DIFF_SECTIONS,
  type DiffOptions,
  diffSnapshots,
  hasKind,
  type IgnoreRules,
  KIND_DESCRIPTIONS,
  mergeIgnore,
  parseKinds,
  parseSections,
  splitList,
} from "../diff/mod.ts";
import { errnoText, InputError, UsageError } from "../errors.ts";
import { renderDiffJson, renderDiffYaml } from "../render/diff_json.ts";
import { renderDiffMarkdown } from "../render/diff_markdown.ts";
import { renderDiffText } from "../render/diff_text.ts";
import { renderReport } from "../render/html/mod.ts";
import { writeStderr } from "../runtime/process.ts";
import { type CliContext, out } from "./context.ts";
import { loadOperand, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { textLayout } from "./show.ts";
import { termList } from "./help.ts";

const collect = (value: string, previous: string[] = []) => [...previous, ...splitList(value)];

function readConfig(file: string): DiffConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`Cannot read config ${file}: ${errnoText(e)}`);
  }
  return parseDiffConfig(text, file);
}

/** Registers `nsnap diff` on the program. */
export function registerDiff(program: Command, ctx: CliContext) {
  return program
    .command("diff")
    .description(
      "what changed between two snapshots: listeners, sessions, routes, interfaces, counters",
    )
    .argument("<before>", "snapshot file, - for stdin, or live")
    .argument("<after>", "snapshot file, - for stdin, or live")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "json", "yaml", "markdown", "html"] as const)
        .default("text" as const),
    )
    .option("--fail-on <kinds>", "exit 1 when a change of these kinds occurs (comma list)", collect)
    .option(
      "--only <sections>",
      `compare only these sections, a comma list of: ${DIFF_SECTIONS.join(", ")}`,
      collect,
    )
    .option("--detail", "list every session 5-tuple instead of groups")
    .option("--ignore-port <ports>", "ignore ports or ranges (22,8000-8100)", collect)
    .option("--ignore-program <globs>", "ignore sockets of these programs (chronyd,node*)", collect)
    .option(
      "--ignore-interface <globs>",
      "ignore interfaces and their routes (veth*,docker0)",
      collect,
    )
    .option(
      "--ignore-address <cidrs>",
      "ignore addresses or CIDRs (10.244.0.0/16,fe80::/10)",
      collect,
    )
    .option("--ignore-counter <globs>", "ignore counters, Group.Name globs (TcpExt.TCP*)", collect)
    .option("--config <file>", "read the options above from a YAML policy file")
    .option("--max-size <size>", MAX_SIZE_HELP)
    .addHelpText(
      "after",
      `
Change kinds (for --fail-on):
${termList(ALL_KINDS.map((k) => [k, KIND_DESCRIPTIONS[k]]))}

Exit codes: 0 compared, 1 a --fail-on kind occurred, 2 usage error or unreadable
input.

Policy file (--config), same keys as the options; flags add to it, --only
replaces it:
  fail-on: [listener-opened, listener-exposure-changed]
  ignore-port: [22, "8000-8100"]
  ignore-interface: ["veth*"]
  ignore-counter: ["TcpExt.TCP*"]

Examples:
  nsnap diff before.json after.json
  nsnap diff before.json live --only listeners,routes
  nsnap diff a.json b.json --fail-on listener-opened,listener-exposure-changed
  nsnap diff a.json b.json --format markdown > report.md
  nsnap diff a.json b.json --format html > report.html
  nsnap diff a.json b.json --format json | jq '.changes[] | select(.notable)'
  nsnap capture -o - | nsnap diff before.json - --config .nsnap-diff.yaml`,
    )
    .action(async (beforeOp, afterOp, opts) => {
      if (beforeOp === "-" && afterOp === "-") {
        throw new UsageError("Cannot read both snapshots from stdin: give a file for one of them");
      }
      const config: DiffConfig = opts.config ? readConfig(opts.config) : { failOn: [], ignore: {} };
      const failOn = [...new Set([...config.failOn, ...parseKinds(opts.failOn ?? [])])];
      const only = opts.only ? parseSections(opts.only) : config.only;
      const flags: IgnoreRules = {
        ports: opts.ignorePort ?? [],
        programs: opts.ignoreProgram ?? [],
        interfaces: opts.ignoreInterface ?? [],
        addresses: opts.ignoreAddress ?? [],
        counters: opts.ignoreCounter ?? [],
      };
      const diffOpts: DiffOptions = {
        ignore: mergeIgnore(config.ignore, flags),
        detail: opts.detail ?? config.detail ?? false,
      };
      if (only) diffOpts.only = only;
      if (beforeOp !== "live") diffOpts.beforeFile = beforeOp;
      if (afterOp !== "live") diffOpts.afterFile = afterOp;
      const load = opts.maxSize ? { maxBytes: parseMaxSize(opts.maxSize) } : {};
      const before = await loadOperand(beforeOp, load);
      const after = await loadOperand(afterOp, load);
      const doc = diffSnapshots(before, after, diffOpts);
      for (const w of doc.warnings) writeStderr(`nsnap: warning: ${w}\n`);
      if (failOn.length && hasKind(doc, failOn)) ctx.exitCode = 1;
      switch (opts.format) {
        case "json":
          return await out(renderDiffJson(doc));
        case "yaml":
          return await out(renderDiffYaml(doc));
        case "markdown":
          return await out(renderDiffMarkdown(doc));
        case "html":
          return await out(renderReport({ kind: "diff", before, after, doc }));
        default:
          return await out(
            renderDiffText(doc, { paint: textLayout(true).paint }),
          );
      }
    });
}
