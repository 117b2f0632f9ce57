/**
 * The interfaces view of `nsnap show -i`: like netstat -i, one row each for received and sent
 * traffic (bytes, packets, errors, drops), then the interface's flags, MAC and addresses.
 */
import type { NetInterface } from "../model.ts";
import { type Column, type Paint, PLAIN, renderTable, type Row, truncateMiddle } from "./table.ts";

/** How to lay out the interfaces view. */
export interface InterfaceTableOptions {
  paint?: Paint;
  width?: number | undefined;
}

const cell = (v: bigint | undefined) => (v === undefined ? "-" : v.toString());

function interfaceRows(i: NetInterface): Row[] {
  const s = i.stats ?? {};
  const rows: Row[] = [
    [
      i.name,
      i.mtu === undefined ? "-" : String(i.mtu),
      i.operState ?? "-",
      "RX",
      cell(s.rxBytes),
      cell(s.rxPackets),
      cell(s.rxErrors),
      cell(s.rxDropped),
    ],
    ["", "", "", "TX", cell(s.txBytes), cell(s.txPackets), cell(s.txErrors), cell(s.txDropped)],
  ];
  const about = [`flags ${i.flags.length > 0 ? i.flags.join(",") : "-"}`];
  if (i.mac !== undefined) about.push(`mac ${i.mac}`);
  if (i.speedMbps !== undefined && i.speedMbps > 0) about.push(`speed ${i.speedMbps}Mb/s`);
  rows.push({ line: `  ${about.join("  ")}` });
  for (const a of i.addresses) {
    rows.push({ line: `  ${a.family} ${a.address}/${a.prefixLength}` });
  }
  return rows;
}

const warnNonZero = (
  v: string,
  paint: Paint,
) => (v !== "0" && v !== "-" ? paint.yellow : undefined);

/** Renders interfaces with their state, traffic counters, flags and addresses. */
export function renderInterfaces(
  interfaces: readonly NetInterface[],
  opts: InterfaceTableOptions = {},
): string {
  const columns: Column[] = [
    { header: "Iface", shrink: true, minWidth: 8, truncate: truncateMiddle },
    { header: "MTU", align: "right" },
    {
      header: "State",
      color: (v, p) => (v === "up" ? p.green : v === "down" ? p.yellow : undefined),
    },
    { header: "Dir" },
    { header: "Bytes", align: "right" },
    { header: "Packets", align: "right", wrap: 3 },
    { header: "Errors", align: "right", color: warnNonZero, wrap: 2 },
    { header: "Drops", align: "right", color: warnNonZero, wrap: 1 },
  ];
  const rows = interfaces.flatMap(interfaceRows);
  return renderTable(columns, rows, { paint: opts.paint ?? PLAIN, width: opts.width });
}
