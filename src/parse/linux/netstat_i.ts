/**
 * Linux net-tools `netstat -i`: one line per interface with packet counters, with or without the
 * Met column (older releases print it). Columns are found from the header.
 */
import type { InterfaceStatName, NetInterface } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { cannotRead, isDigits, own, type Parsed, readAt, splitLines } from "../text.ts";

/** netstat's column labels and the /proc/net/dev counters they show (OVR is the fifo count). */
const COLUMNS: Record<string, InterfaceStatName> = {
  "RX-OK": "rxPackets",
  "RX-ERR": "rxErrors",
  "RX-DRP": "rxDropped",
  "RX-OVR": "rxFifo",
  "TX-OK": "txPackets",
  "TX-ERR": "txErrors",
  "TX-DRP": "txDropped",
  "TX-OVR": "txFifo",
};

/** Flag letters of the Flg column (net-tools lib/interface.c); P means PROMISC or POINTOPOINT. */
const FLAG_LETTERS: Record<string, string> = {
  A: "ALLMULTI",
  B: "BROADCAST",
  D: "DEBUG",
  L: "LOOPBACK",
  M: "MULTICAST",
  d: "DYNAMIC",
  N: "NOTRAILERS",
  O: "NOARP",
  s: "SLAVE",
  m: "MASTER",
  R: "RUNNING",
  U: "UP",
};

/** Parses Linux `netstat -i` into interfaces with MTU, flags and packet counters. */
export function parseLinuxNetstatI(
  text: string,
  source = "netstat -i",
): Parsed<NetInterface[]> {
  const lines = splitLines(text);
  const h = lines.findIndex((l) => /^Iface\s/.test(l));
  if (h < 0) throw new ParseError(source, 1, lines[0] ?? "", "no Iface header");
  const header = lines[h]!.trim().split(/\s+/);
  const interfaces: NetInterface[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < h; i++) {
    const l = lines[i]!.trim();
    if (l !== "" && l !== "Kernel Interface table") {
      warnings.push(cannotRead(source, i + 1, "netstat -i line", l));
    }
  }
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const f = line.trim().split(/\s+/);
    // Every column but the name and Flg is a number; a column nsnap does not know is read past.
    const numeric = header.every((label, k) =>
      label === "Iface" || label === "Flg" || !(label === "MTU" || label === "Met" ||
        own(COLUMNS, label)) ||
      isDigits(f[k])
    );
    if (f.length !== header.length || !numeric) {
      warnings.push(cannotRead(source, i + 1, "netstat -i line", line));
      continue;
    }
    const flg = f[header.indexOf("Flg")] ?? "";
    const itf: NetInterface = {
      name: f[0]!,
      flags: [...flg].map((c) => own(FLAG_LETTERS, c) ?? c),
      addresses: [],
      stats: {},
    };
    header.forEach((label, k) => {
      const v = f[k]!;
      if (label === "MTU") itf.mtu = Number(v);
      const stat = own(COLUMNS, label);
      if (stat) itf.stats![stat] = BigInt(v);
    });
    interfaces.push(readAt(itf, i + 1));
  }
  return { value: interfaces, warnings };
}
