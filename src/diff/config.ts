/**
 * The diff policy file (`nsnap diff --config FILE`): YAML (or JSON) with the same keys as the
 * command-line options, so a team keeps its CI gate in the repository.
 *
 * @example
 * ```yaml
 * fail-on: [listener-opened, listener-exposure-changed, notable, "counter:Tcp.RetransSegs>1%"]
 * only: [listeners, routes]
 * udp-services: [51820, "60000-60100"]
 * ignore-port: [22, "8000-8100"]
 * ignore-program: ["chronyd"]
 * ignore-interface: ["veth*", "docker0"]
 * ignore-address: ["10.244.0.0/16"]
 * ignore-counter: ["TcpExt.TCP*"]
 * ignore-netns: ["pod:kube-system/*"]
 * netns: ["host", "docker:*"]
 * ```
 */
import { z } from "zod";
import { InputError } from "../errors.ts";
import { readYaml, YamlProblem } from "../util/yaml.ts";
import { escapeText } from "../util/escape.ts";
import type { PortRange } from "../net/sockets.ts";
import { compileIgnore, type IgnoreRules } from "./ignore.ts";
import {
  type DiffSection,
  gateConflict,
  parseGate,
  parsePortRanges,
  parseSections,
  splitFailOn,
  splitList,
} from "./kinds.ts";

/** A policy read from a config file. */
export interface DiffConfig {
  /** `--fail-on` entries: kinds, globs over kinds, `notable` (checked). */
  failOn: string[];
  /** `fail-on` thresholds as written (`counter:Tcp.RetransSegs>1%`); the CLI parses them. */
  thresholds?: string[];
  only?: DiffSection[];
  detail?: boolean;
  ignore: IgnoreRules;
  /** UDP ports that are services even in the ephemeral range. */
  udpServices: PortRange[];
  /** Only these namespaces (globs). */
  netns?: string[];
}

/** A list written as a YAML sequence or a comma-separated string. */
const list = z.union([
  z.array(z.union([z.string(), z.int()])).transform((a) => a.map(String)),
  z.string().transform(splitList),
  z.int().transform((n) => [String(n)]),
]);

const ConfigFile = z.strictObject({
  "fail-on": list.optional(),
  only: list.optional(),
  detail: z.boolean().optional(),
  "udp-services": list.optional(),
  "ignore-port": list.optional(),
  "ignore-program": list.optional(),
  "ignore-interface": list.optional(),
  "ignore-address": list.optional(),
  "ignore-counter": list.optional(),
  "ignore-netns": list.optional(),
  netns: list.optional(),
});

function where(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`))
    .join("");
}

/** Parses and checks a policy file's text; any problem is an InputError naming the file. */
export function parseDiffConfig(text: string, file: string): DiffConfig {
  const fail = (msg: string): never => {
    throw new InputError(`Cannot read config ${escapeText(file)}: ${msg}`);
  };
  let raw: unknown;
  try {
    raw = readYaml(text);
  } catch (e) {
    if (e instanceof YamlProblem) fail(`malformed YAML${e.where}: ${e.what}`);
    fail((e as Error).message.split("\n")[0]!);
  }
  if (raw === null || raw === undefined) raw = {};
  const r = ConfigFile.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = where(issue.path);
    const known = issue.code === "unrecognized_keys"
      ? ` (known: ${Object.keys(ConfigFile.shape).join(", ")})`
      : "";
    fail(`${at ? at + ": " : ""}${issue.message}${known}`);
  }
  const c = r.data!;
  try {
    const failOn = splitFailOn(c["fail-on"] ?? []);
    const gate = parseGate(failOn.kinds);
    const cfg: DiffConfig = {
      failOn: failOn.kinds,
      udpServices: parsePortRanges(c["udp-services"] ?? [], "udp-services"),
      ignore: {
        ports: c["ignore-port"] ?? [],
        programs: c["ignore-program"] ?? [],
        interfaces: c["ignore-interface"] ?? [],
        addresses: c["ignore-address"] ?? [],
        counters: c["ignore-counter"] ?? [],
        namespaces: c["ignore-netns"] ?? [],
      },
    };
    if (c.netns) cfg.netns = c.netns;
    if (failOn.thresholds.length) cfg.thresholds = failOn.thresholds;
    compileIgnore(cfg.ignore);
    if (c.only) {
      cfg.only = parseSections(c.only);
      const conflict = gateConflict(gate, cfg.only);
      if (conflict) fail(conflict.replace(/^Cannot use --fail-on /, "fail-on "));
    }
    if (c.detail !== undefined) cfg.detail = c.detail;
    return cfg;
  } catch (e) {
    if (e instanceof InputError) throw e;
    return fail((e as Error).message.replace(/^Cannot use --?/, ""));
  }
}
