/**
 * `nsnap check POLICY [SNAPSHOT|DIR|live]`: does a host keep its policy — what may and must
 * listen, routes, settings and counter rates? Exit 0 every rule holds, 1 a rule is broken (or,
 * with --strict, not evaluated), 2 usage or input error. `--init SNAPSHOT` prints a policy that
 * the snapshot passes, to start from.
 */
import { appendFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "@commander-js/extra-typings";
import { checkDocument, checkSnapshot } from "../check/evaluate.ts";
import { snapshotFiles } from "../check/folder.ts";
import { initPolicy } from "../check/init.ts";
import { readPolicy } from "../check/policy.ts";
import type { HostResultOut } from "../check/result.ts";
import { InputError, UsageError } from "../errors.ts";
import { escapeText } from "../util/escape.ts";
import type { Snapshot } from "../model.ts";
import { renderCheckAnnotations } from "../render/check_github.ts";
import { renderCheckJunit } from "../render/check_junit.ts";
import { renderCheckMarkdown } from "../render/check_markdown.ts";
import { renderCheckText } from "../render/check_text.ts";
import { plainDiff } from "../render/diff_json.ts";
import { env, writeStderr } from "../runtime/process.ts";
import { type CliContext, out } from "./context.ts";
import { loadOperand, type LoadOptions, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { textLayout } from "./show.ts";
import { NETNS_CAPTURE_HELP, netnsChoice, netnsValues } from "./capture.ts";

function isDirectory(path: string): boolean {
  if (path === "-" || path === "live") return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // the loader says what is wrong with it
  }
}

/** Finds the baseline of each host in a baseline folder: same relative path, else same hostname. */
class BaselineFolder {
  private byHost: Map<string, string> | undefined;
  private readonly files: string[];
  constructor(readonly dir: string, private readonly load: LoadOptions) {
    this.files = snapshotFiles(dir);
  }
  async find(rel: string, host: string): Promise<[string, Snapshot] | undefined> {
    if (this.files.includes(rel)) {
      const path = join(this.dir, rel);
      return [path, await loadOperand(path, this.load)];
    }
    if (!this.byHost) {
      this.byHost = new Map();
      for (const f of this.files) {
        const path = join(this.dir, f);
        const s = await loadOperand(path, this.load);
        if (!this.byHost.has(s.meta.host.hostname)) this.byHost.set(s.meta.host.hostname, path);
      }
    }
    const path = this.byHost.get(host);
    return path === undefined ? undefined : [path, await loadOperand(path, this.load)];
  }
}

/** Registers `nsnap check` on the program. */
export function registerCheck(program: Command, ctx: CliContext) {
  return program
    .command("check")
    .description("check snapshots against a policy: listeners, routes, settings, counter rates")
    .argument("[policy]", "policy file (YAML, nsnap-policy/v1)")
    .argument("[target]", "snapshot file, folder of snapshots (one per host), - or live", "live")
    .option(
      "--init <snapshot>",
      "print a policy the snapshot passes, to start from (file, - or live)",
    )
    .option(
      "--baseline <snapshot>",
      "earlier snapshot to measure rates against (a folder for a folder)",
    )
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "json", "junit", "markdown", "github"] as const)
        .default("text" as const),
    )
    .option("--strict", "a rule that could not be evaluated fails the check")
    .option("--netns <which>", `for live: ${NETNS_CAPTURE_HELP}`, netnsValues)
    .option("-v, --verbose", "list the rules that hold too, and every violation")
    .option("--max-size <size>", MAX_SIZE_HELP)
    .addHelpText(
      "after",
      `
Exit codes: 0 every rule holds, 1 a rule is broken (with --strict: or not
evaluated), 2 usage error or unreadable input.

Formats: text (default), json (the nsnap-check/v1 document), junit (one test
case per rule and host), markdown, github (workflow annotations). Under GitHub
Actions (GITHUB_ACTIONS=true) annotations come with the text output (on stderr
for the other formats) and a summary is appended to $GITHUB_STEP_SUMMARY.

Examples:
  nsnap check --init before.json > policy.yaml
  nsnap check policy.yaml                      the live host
  nsnap check policy.yaml live --netns current the live host, its own namespace only
  nsnap check policy.yaml after.json --baseline before.json
  nsnap check policy.yaml snapshots/ --format junit > report.xml
The rule reference is docs/check.md.`,
    )
    .action(async (policyFile, target, opts) => {
      const load: LoadOptions = opts.maxSize ? { maxBytes: parseMaxSize(opts.maxSize) } : {};
      if (opts.netns) {
        const live = opts.init !== undefined
          ? opts.init === "live"
          : target === "live" || opts.baseline === "live";
        if (!live) {
          throw new UsageError(
            "Cannot use --netns here: it chooses the namespaces of a live capture (check POLICY live, --init live)",
          );
        }
        load.capture = { netns: netnsChoice(opts.netns) };
      }
      if (opts.init !== undefined) {
        if (policyFile !== undefined) {
          throw new UsageError(
            "Cannot use --init with a policy file: --init SNAPSHOT prints a new policy (nsnap check --init SNAPSHOT > policy.yaml)",
          );
        }
        if (isDirectory(opts.init)) {
          throw new UsageError(`Cannot use --init ${opts.init}: give one snapshot, not a folder`);
        }
        const snap = await loadOperand(opts.init, load);
        return await out(
          initPolicy(snap, opts.init === "-" || opts.init === "live" ? undefined : opts.init),
        );
      }
      if (policyFile === undefined) {
        throw new UsageError(
          "Cannot check: no policy file given (nsnap check POLICY [SNAPSHOT|DIR|live], or --init SNAPSHOT to write one)",
        );
      }
      const policy = readPolicy(policyFile);
      const hosts: HostResultOut[] = [];
      const strict = opts.strict === true;
      if (isDirectory(target)) {
        const skipped: string[] = [];
        const files = snapshotFiles(target, skipped);
        for (const w of skipped) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
        if (files.length === 0) {
          throw new InputError(
            `Cannot check folder ${target}: no snapshot files in it (.json, .yaml, .yml, .gz)`,
          );
        }
        if (opts.baseline !== undefined && !isDirectory(opts.baseline)) {
          throw new UsageError(
            `Cannot use --baseline ${opts.baseline} with a folder: give a folder of baselines`,
          );
        }
        const baselines = opts.baseline !== undefined
          ? new BaselineFolder(opts.baseline, load)
          : undefined;
        for (const rel of files) {
          const path = join(target, rel);
          const snap = await loadOperand(path, load);
          const found = await baselines?.find(rel, snap.meta.host.hostname);
          const host = checkSnapshot(policy, snap, {
            file: path,
            strict,
            ...(found ? { baseline: found[1], baselineFile: found[0] } : {}),
          });
          if (baselines && !found) {
            host.warnings.push(`no baseline for ${snap.meta.host.hostname} in ${opts.baseline}`);
          }
          hosts.push(host);
        }
      } else {
        if (opts.baseline !== undefined && isDirectory(opts.baseline)) {
          throw new UsageError(
            `Cannot use --baseline ${opts.baseline}: a folder of baselines needs a folder to check`,
          );
        }
        const baseline = opts.baseline !== undefined
          ? await loadOperand(opts.baseline, load)
          : undefined;
        const snap = await loadOperand(target, load);
        hosts.push(checkSnapshot(policy, snap, {
          strict,
          ...(target !== "live" ? { file: target === "-" ? "<stdin>" : target } : {}),
          ...(baseline ? { baseline } : {}),
          ...(opts.baseline !== undefined && opts.baseline !== "live"
            ? { baselineFile: opts.baseline }
            : {}),
        }));
      }
      const doc = checkDocument(policy, hosts, strict);
      if (doc.verdict === "fail") ctx.exitCode = 1;
      const github = env("GITHUB_ACTIONS") === "true";
      const annotations = github || opts.format === "github" ? renderCheckAnnotations(doc) : "";
      switch (opts.format) {
        case "json":
          await out(JSON.stringify(plainDiff(doc), null, 2));
          break;
        case "junit":
          await out(renderCheckJunit(doc));
          break;
        case "markdown":
          await out(renderCheckMarkdown(doc, { verbose: opts.verbose === true }));
          break;
        case "github":
          await out(annotations);
          break;
        default:
          await out(
            renderCheckText(doc, { verbose: opts.verbose === true, paint: textLayout(true).paint }),
          );
          if (annotations) await out(annotations);
      }
      // Workflow commands must not spoil a document on stdout; the runner reads stderr too.
      if (annotations && opts.format !== "text" && opts.format !== "github") {
        writeStderr(annotations);
      }
      const summaryFile = env("GITHUB_STEP_SUMMARY");
      if (github && summaryFile) {
        try {
          appendFileSync(summaryFile, renderCheckMarkdown(doc) + "\n");
        } catch (e) {
          writeStderr(
            `nsnap: warning: cannot append to GITHUB_STEP_SUMMARY ${summaryFile}: ${
              (e as Error).message
            }\n`,
          );
        }
      }
    });
}
