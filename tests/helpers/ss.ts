/**
 * `ss -tanpH` inside a namespace, for cross-checking a capture: one line per TCP socket with its
 * state, local endpoint and holder pids, in the same words for ss and for a snapshot.
 */
import { spawnSync } from "node:child_process";
import type { Snapshot } from "../../src/model.ts";

/** `ss -tanpH` run with `wrap` (`ip netns exec NAME`, `nsenter -t PID -n`), as sorted lines. */
export function ssTcp(wrap: string[]): string[] {
  const r = spawnSync(wrap[0]!, [...wrap.slice(1), "ss", "-tanpH"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${wrap.join(" ")} ss -tanpH failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").filter(Boolean).map((line) => {
    const w = line.trim().split(/\s+/);
    const pids = [...w.slice(5).join(" ").matchAll(/pid=([0-9]+)/g)].map((m) => m[1]).sort();
    // ss writes a dual-stack [::] listener as *, and ESTABLISHED as ESTAB.
    const local = w[3]!.replace(/^\*:/, "[::]:");
    return `${w[0] === "ESTAB" ? "ESTABLISHED" : w[0]} ${local} ${pids.join(",")}`;
  }).sort();
}

/** The TCP sockets of one namespace of a snapshot, in the lines `ssTcp` prints. */
export function snapshotTcp(s: Snapshot, namespace: string): string[] {
  return s.connections.filter((c) => c.namespace === namespace && c.protocol === "tcp").map(
    (c) => {
      const local = c.family === "inet6"
        ? `[${c.localAddress}]:${c.localPort}`
        : `${c.localAddress}:${c.localPort}`;
      const pids = (c.pids ?? (c.pid !== undefined ? [c.pid] : [])).map(String).sort();
      return `${c.state} ${local} ${pids.join(",")}`;
    },
  ).sort();
}
