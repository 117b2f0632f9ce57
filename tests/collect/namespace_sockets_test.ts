/**
 * Another namespace's UNIX, raw and packet sockets read from its /proc/…/net files alone (the
 * /proc reader, `--no-netlink`): packet sockets' devices are named from the namespace's own
 * if_inet6 and igmp (its /sys is not this process's), so that a packet socket keeps one name
 * whichever way the namespace was read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { otherSocketsIn, procNetNames } from "../../src/collect/linux/sockets.ts";

function netDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-ns-net-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const IF_INET6 = "00000000000000000000000000000001 01 80 10 80       lo\n" +
  "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n";
const IGMP = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n" +
  "1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n" +
  "7\tveth-web  :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n";
const PACKET = "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n" +
  "00000000ba11d725 3      3    0806   4     1 0      0      1250452\n" +
  "00000000ba11d726 3      3    0003   7     1 0      0      1250453\n" +
  "00000000ba11d727 3      3    0003   9     1 0      0      1250454\n";

test("procNetNames() names devices from if_inet6 and igmp; one in neither has no name", () => {
  const dir = netDir({ if_inet6: IF_INET6, igmp: IGMP });
  try {
    assert.deepEqual([...procNetNames(dir)].sort((a, b) => a[0] - b[0]), [
      [1, "lo"],
      [4, "eth0"],
      [7, "veth-web"],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a namespace's packet sockets from /proc carry its device names, if<N> where it has none", () => {
  const dir = netDir({
    if_inet6: IF_INET6,
    igmp: IGMP,
    packet: PACKET,
    unix: "Num       RefCount Protocol Flags    Type St Inode Path\n",
    raw:
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
    raw6:
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
  });
  try {
    const s = otherSocketsIn(dir, "/proc/812/net", false);
    assert.equal(s.status.status, "ok", JSON.stringify(s.status));
    assert.deepEqual(s.value.packet.map((p) => [p.inode, p.interface]), [
      [1250452, "eth0"],
      [1250453, "veth-web"],
      [1250454, "if9"],
    ]);
    // Names given (a link dump's) win over the files'.
    const named = otherSocketsIn(dir, "/proc/812/net", false, new Map([[4, "eth0"], [9, "wg0"]]));
    assert.equal(named.value.packet[2]!.interface, "wg0");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
