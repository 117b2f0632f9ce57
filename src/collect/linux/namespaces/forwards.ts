/**
 * The host's forwards into namespaces: Docker's userland proxies (a docker-proxy process per
 * published port and host address, whose arguments name the container address) and DNAT rules
 * of the host's nat table (Docker's `DOCKER` chain, CNI portmap's `CNI-DN-*`, an operator's own),
 * each tied to the namespace whose interface has the target address.
 *
 * Decisions:
 * - docker-proxy's arguments are read from /proc/PID/cmdline whatever `--cmdline` says: they
 *   hold addresses and ports only, and the snapshot keeps the forward, not the command line.
 * - DNAT rules come from the capture's firewall section when it was read (nft's text shows the
 *   rules iptables-nft made with their targets; its JSON does not); else from
 *   `iptables-save -t nat` and `ip6tables-save -t nat`, where a missing tool is passed over and
 *   a refusal (not root) is a warning.
 */
import type { FirewallTable, Forward, Namespace, NetInterface } from "../../../model.ts";
import {
  dnatOfIptablesRule,
  dnatOfIptablesSave,
  dnatOfNftRule,
} from "../../../parse/linux/dnat_rule.ts";
import { parseDockerProxyArgs } from "../../../parse/linux/docker_proxy_cmdline.ts";
import type { CommandResult, CommandRunner } from "../../../runtime/command.ts";
import { readText, under } from "../files.ts";

/** Where the iptables tools may be: PATH, then the sbin folders a cron PATH leaves out. */
const PLACES = ["", "/usr/sbin/", "/sbin/"];

function runSbin(runner: CommandRunner, tool: string, args: string[]): CommandResult {
  let last: CommandResult | undefined;
  for (const dir of PLACES) {
    last = runner([`${dir}${tool}`, ...args]);
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  return { ...last!, reason: `${tool}: not found` };
}

/** The forwards of the docker-proxy processes among `pids` (named by `nameOf`). */
export function proxyForwards(
  root: string,
  pids: Iterable<number>,
  nameOf: (pid: number) => string | undefined,
): Forward[] {
  const out: Forward[] = [];
  for (const pid of pids) {
    if (nameOf(pid) !== "docker-proxy") continue;
    const raw = readText(under(root, `/proc/${pid}/cmdline`));
    if (raw === undefined) continue;
    const f = parseDockerProxyArgs(raw.replace(/\0$/, "").split("\0"));
    if (f) out.push({ ...f, via: "docker-proxy", pid });
  }
  return out;
}

/**
 * The DNAT forwards of a firewall section (the routing branch's nft or iptables-save tables):
 * each rule of an ip or ip6 table, read in its syntax.
 */
export function firewallForwards(fw: { tables: readonly FirewallTable[] }): Forward[] {
  const out: Forward[] = [];
  for (const t of fw.tables) {
    if (t.family !== "ip" && t.family !== "ip6" && t.family !== "inet") continue;
    for (const chain of t.chains) {
      for (const r of chain.rules) {
        const f = t.syntax === "nft"
          ? dnatOfNftRule(r.text)
          : dnatOfIptablesRule(`-A ${chain.name} ${r.text}`);
        if (!f) continue;
        const { chain: _chain, ...rest } = f;
        out.push({ ...rest, via: "dnat", rule: r.text });
      }
    }
  }
  return out;
}

/** The DNAT forwards of the host's nat tables, and what could not be read. */
export function dnatForwards(runner: CommandRunner): { forwards: Forward[]; notes: string[] } {
  const forwards: Forward[] = [];
  const notes: string[] = [];
  for (const tool of ["iptables-save", "ip6tables-save"]) {
    const r = runSbin(runner, tool, ["-t", "nat"]);
    if (!r.ok) {
      const why = r.reason ?? `${tool} failed`;
      // Absent on purpose on hosts without iptables; only a refusal is worth a warning.
      if (!why.endsWith(": not found")) notes.push(`DNAT rules unknown: ${why}`);
      continue;
    }
    for (const { forward, rule } of dnatOfIptablesSave(r.stdout)) {
      const { chain: _chain, ...f } = forward;
      forwards.push({ ...f, via: "dnat", rule });
    }
  }
  return { forwards, notes };
}

/**
 * Ties each forward to the namespace whose interfaces (or containers, by their runtime's
 * networks) have its target address; the own namespace's are left without one.
 */
export function placeForwards(
  forwards: Forward[],
  interfaces: readonly NetInterface[],
  namespaces: readonly Namespace[],
): void {
  const owner = new Map<string, string | undefined>();
  for (const i of interfaces) {
    for (const a of i.addresses) if (!owner.has(a.address)) owner.set(a.address, i.namespace);
  }
  for (const n of namespaces) {
    if (n.own) continue;
    for (const c of n.containers ?? []) {
      for (const a of c.addresses ?? []) if (!owner.has(a)) owner.set(a, n.id);
    }
  }
  for (const f of forwards) {
    const ns = owner.get(f.toAddress);
    if (ns !== undefined) f.namespace = ns;
  }
}
