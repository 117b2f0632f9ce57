/**
 * `nsnap diff A B`: what changed between two snapshots (files, `-`, or `live`), as text, JSON,
 * YAML or Markdown, with `--fail-on KINDS` for CI (exit 1) and ignore rules from flags or a
 * policy file.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import { type DiffConfig, parseDiffConfig } from "../diff/config.ts";
import {
  ALL_KINDS,
  DIFF_SECTIONS,
  type DiffOptions,
  diffSnapshots,
  gateConflict,
  hasKind,
  type IgnoreRules,
  KIND_DESCRIPTIONS,
  mergeIgnore,
  NOTABLE,
  parseGate,
  parsePortRanges,
  parseSections,
  splitList,
} from "../diff/mod.ts";
import { errnoText, InputError, UsageError } from "../errors.ts";
import { escapeText } from "../util/escape.ts";
import { readFileBoundedSync, TooLargeError } from "../util/read_bounded.ts";
import { renderDiffJson, renderDiffYaml } from "../render/diff_json.ts";
import { renderDiffMarkdown } from "../render/diff_markdown.ts";
import { renderDiffText } from "../render/diff_text.ts";
import { renderReport } from "../render/html/mod.ts";
import { writeStderr } from "../runtime/process.ts";
import { displayText } from "../render/table.ts";
import { type CliContext, out } from "./context.ts";
import { loadOperand, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { textLayout } from "./show.ts";
import { termList } from "./help.ts";
import {
  checkThresholdSections,
  failOnThresholds,
  parseFailOn,
  parseThresholds,
} from "./fail_on.ts";
import { folderOperands, parseOutlierShare, runFleetDiff, splitFleetKinds } from "./fleet.ts";
import { runTimeline } from "./timeline.ts";
import { isFolder } from "../fleet/scan.ts";
import { parsePairBy } from "../fleet/pair.ts";

const collect = (value: string, previous: string[] = []) => [...previous, ...splitList(value)];

/** Largest policy file read (a real one is a few hundred bytes). */
const MAX_CONFIG_BYTES = 1024 * 1024;

function readConfig(file: string): DiffConfig {
  let text: string;
  const fail = (why: string) => new InputError(`Cannot read config ${escapeText(file)}: ${why}`);
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      readFileBoundedSync(file, MAX_CONFIG_BYTES),
    );
  } catch (e) {
    if (e instanceof TooLargeError) throw fail("larger than 1 MiB, too big for a policy file");
    if (e instanceof TypeError) throw fail("not text (invalid UTF-8)");
    throw fail(errnoText(e));
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
    .argument(
      "<before>",
      "snapshot file, - for stdin, live, or a folder (a fleet; alone: a timeline)",
    )
    .argument("[after]", "snapshot file, - for stdin, live, or a folder of snapshots (a fleet)")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "json", "yaml", "markdown", "html"] as const)
        .default("text" as const),
    )
    .option(
      "--fail-on <kinds>",
      "exit 1 when a change of these kinds occurs (globs like listener-*, notable) or a threshold holds",
      collect,
    )
    .option(
      "--only <sections>",
      `compare only these sections, a comma list of: ${DIFF_SECTIONS.join(", ")}`,
      collect,
    )
    .option("--detail", "list every session 5-tuple instead of groups")
    .option(
      "--udp-service <ports>",
      "UDP ports that are services even in the ephemeral range (51820,60000-60100)",
      collect,
    )
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
    .option(
      "--ignore-netns <globs>",
      "ignore network namespaces: ids, containers, netns or pod names ('pod:kube-system/*')",
      collect,
    )
    .option(
      "--netns <globs>",
      "compare only these network namespaces (host, docker:*, web, pod:shop/*)",
      collect,
    )
    .option("--config <file>", "read the options above from a YAML policy file")
    .option("--max-size <size>", MAX_SIZE_HELP)
    .option(
      "--pair-by <rule>",
      "folders: auto, machine-id, hostname, path or label:KEY",
      parsePairBy,
    )
    .option(
      "--outlier-share <share>",
      "folders: a change on at most this share of hosts is an outlier (default 0.1)",
      parseOutlierShare,
    )
    .addHelpText(
      "after",
      `
Change kinds (for --fail-on):
${
        termList([
          ...ALL_KINDS.map((k) => [k, KIND_DESCRIPTIONS[k]] as [string, string]),
          [NOTABLE, "every change marked notable, whatever its kind"],
        ])
      }

--fail-on takes kinds, globs over kinds (listener-*) and the word notable;
listener-opened also trips on listener-instance-added, listener-closed on
listener-instance-removed.

Thresholds (for --fail-on), in the language of nsnap check's rates:
  counter:Tcp.RetransSegs>1%        share of the natural denominator (OutSegs)
  TcpExt.ListenOverflows>0          the delta between the snapshots
  'interface eth0 rxDropped>10/s'   a rate per second

Exit codes: 0 compared, 1 a --fail-on kind occurred or threshold held, 2 usage
error or unreadable input.

One folder (a timeline): one host's snapshots in capture order (as capture
--every writes them), what changed from each to the next, rolled up ("listener
tcp 0.0.0.0:9200 opened at 10:42:10, closed at 10:44:30"), with the notable
counter rates per step; --format json is the nsnap-timeline/v1 document
(nsnap schema --timeline). --fail-on trips when any step has the kind.

Folders (a fleet): snapshots found at any depth are paired by machine id, else
hostname, else path; identical changes are rolled up across hosts, hosts that
vanished or appeared are listed, and --fail-on also takes host-vanished,
host-appeared and outlier (a change on a small minority of hosts; notable trips
on outliers too). See docs/diff.md, "Fleets".

Policy file (--config), same keys as the options; flags add to it, --only
replaces it:
  fail-on: [listener-opened, listener-exposure-changed, notable]
  udp-services: [51820]
  ignore-port: [22, "8000-8100"]
  ignore-interface: ["veth*"]
  ignore-counter: ["TcpExt.TCP*"]
  ignore-netns: ["pod:kube-system/*"]

Captures across namespaces: namespaces are paired by their id (docker:NAME,
compose:PROJECT/SERVICE/N, pod:NS/POD, netns:NAME, host), never by inode;
every change names its namespace, and a container that started or stopped is
namespace-added or namespace-removed with its listeners.

Examples:
  nsnap diff before.json after.json
  nsnap diff before.json live --only listeners,routes
  nsnap diff a.json b.json --fail-on listener-opened,listener-exposure-changed
  nsnap diff a.json b.json --format markdown > report.md
  nsnap diff a.json b.json --format html > report.html
  nsnap diff a.json b.json --format json | jq '.changes[] | select(.notable)'
  nsnap capture -o - | nsnap diff before.json - --config .nsnap-diff.yaml
  nsnap diff snapshots/before snapshots/after --fail-on listener-opened
  nsnap diff incident/                 a timeline of one host's snapshots
  nsnap diff incident/ --format json | jq '.events[].summary'`,
    )
    .action(async (beforeOp, afterArg, opts) => {
      const timeline = afterArg === undefined;
      if (timeline && !isFolder(beforeOp)) {
        throw new UsageError(
          "Cannot diff one snapshot: give two snapshots (before, after), two folders (a fleet) or one folder (a timeline)",
        );
      }
      const afterOp = afterArg ?? beforeOp;
      if (beforeOp === "-" && afterOp === "-") {
        throw new UsageError("Cannot read both snapshots from stdin: give a file for one of them");
      }
      const fleet = !timeline && folderOperands(beforeOp, afterOp);
      if (!fleet && (opts.pairBy !== undefined || opts.outlierShare !== undefined)) {
        throw new UsageError("Cannot use --pair-by or --outlier-share: they apply to folders");
      }
      const config: DiffConfig = opts.config
        ? readConfig(opts.config)
        : { failOn: [], ignore: {}, udpServices: [] };
      const names = splitFleetKinds(opts.failOn ?? [], fleet);
      const flagged = parseFailOn(names.kinds);
      const only = opts.only ? parseSections(opts.only) : config.only;
      if (only) {
        const conflict = gateConflict(parseGate(flagged.kinds), only) ??
          gateConflict(parseGate(config.failOn), only)?.concat(` (from ${opts.config})`);
        if (conflict) throw new UsageError(conflict);
      }
      const failOn = [...new Set([...config.failOn, ...flagged.kinds])];
      const gate = parseGate(failOn);
      const thresholds = [
        ...parseThresholds(config.thresholds ?? [], `fail-on in ${opts.config}`),
        ...flagged.thresholds,
      ];
      checkThresholdSections(thresholds, only);
      const flags: IgnoreRules = {
        ports: opts.ignorePort ?? [],
        programs: opts.ignoreProgram ?? [],
        interfaces: opts.ignoreInterface ?? [],
        addresses: opts.ignoreAddress ?? [],
        counters: opts.ignoreCounter ?? [],
        namespaces: opts.ignoreNetns ?? [],
      };
      const diffOpts: DiffOptions = {
        ignore: mergeIgnore(config.ignore, flags),
        detail: opts.detail ?? config.detail ?? false,
        udpServices: [
          ...config.udpServices,
          ...parsePortRanges(opts.udpService ?? [], "udp-service"),
        ],
      };
      if (only) diffOpts.only = only;
      const netns = [...(config.netns ?? []), ...(opts.netns ?? [])];
      if (netns.length) diffOpts.netns = netns;
      if (timeline) {
        return await runTimeline(beforeOp, {
          format: opts.format,
          gate,
          failOn: [...failOn, ...thresholds.map((t) => t.text)],
          thresholds,
          diff: diffOpts,
          maxBytes: opts.maxSize ? parseMaxSize(opts.maxSize) : undefined,
          paint: textLayout(true).paint,
        }, ctx);
      }
      if (fleet) {
        return await runFleetDiff(beforeOp, afterOp, {
          format: opts.format,
          failOn: [...failOn, ...names.fleet],
          diff: diffOpts,
          pairBy: opts.pairBy ?? "auto",
          outlierShare: opts.outlierShare,
          maxBytes: opts.maxSize ? parseMaxSize(opts.maxSize) : undefined,
          paint: textLayout(true).paint,
        }, ctx);
      }
      if (beforeOp !== "live") diffOpts.beforeFile = beforeOp;
      if (afterOp !== "live") diffOpts.afterFile = afterOp;
      const load = opts.maxSize ? { maxBytes: parseMaxSize(opts.maxSize) } : {};
      const before = await loadOperand(beforeOp, load);
      const after = await loadOperand(afterOp, load);
      const doc = diffSnapshots(before, after, diffOpts);
      for (const w of doc.warnings) writeStderr(`nsnap: warning: ${displayText(w)}\n`);
      if (hasKind(doc, gate)) ctx.exitCode = 1;
      if (failOnThresholds(thresholds, before, after)) ctx.exitCode = 1;
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
