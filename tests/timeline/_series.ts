/** Hand-built series of one host for the timeline tests, and a folder to write them into. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Snapshot } from "../../src/model.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { fileTimestamp } from "../../src/snapshot/write.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

/** Capture time of snapshot i: every 10 s from 10:42:00 UTC. */
export const at = (i: number) =>
  new Date(Date.parse("2026-03-01T10:42:00.000Z") + i * 10_000)
    .toISOString();

/**
 * Six snapshots: listener 9200 opens in the second and closes in the fourth; a route appears in
 * the third; retransmissions climb in the fifth; sessions come and go.
 */
export function incident(): Snapshot[] {
  return Array.from({ length: 6 }, (_, i) => {
    const open = i >= 1 && i < 3;
    return snap(at(i), {
      connections: [
        listen("0.0.0.0", 22, 1),
        ...(open ? [listen("0.0.0.0", 9200, 7)] : []),
        ...Array.from(
          { length: i === 2 ? 3 : 0 },
          (_, k) => conn("10.0.0.5", 22, "10.0.0.9", 40000 + k),
        ),
      ],
      processes: procs(proc(1, "sshd"), ...(open ? [proc(7, "python3")] : [])),
      routes: [
        route("10.0.0.0/24"),
        ...(i >= 2 ? [route("10.40.0.0/16", { gateway: "10.0.0.254" })] : []),
      ],
      interfaces: [
        iface("eth0", { stats: { rxBytes: BigInt(1000 * i), txBytes: BigInt(500 * i) } }),
      ],
      counters: {
        Tcp: { RetransSegs: i >= 4 ? 120n : 0n, OutSegs: BigInt(1000 * (i + 1)) },
        TcpExt: { ListenOverflows: 0n },
      },
    });
  });
}

/** Writes snapshots into a fresh folder under generated names (shuffled order on disk). */
export function folderOf(
  snaps: readonly Snapshot[],
  names?: (s: Snapshot, i: number) => string,
): string {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-timeline-"));
  snaps.forEach((s, i) => {
    const name = names?.(s, i) ??
      `${s.meta.host.hostname}-${fileTimestamp(s.meta.capturedAt)}.json`;
    writeFileSync(join(dir, name), serializeSnapshot(s, "json"));
  });
  return dir;
}
