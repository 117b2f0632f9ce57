/** Waiting for a test namespace to stop changing by itself before it is captured. */
import type { Netns } from "../../helpers/netns.ts";

type Json = Record<string, unknown>;

/**
 * Waits (bounded, 15 s) until every link that is up has its operational state (a bridge leaves
 * its forward delay) and no IPv6 address is tentative, then a little longer for delayed ACKs.
 */
export async function settled(ns: Netns): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const links = JSON.parse(ns.exec("ip", "-j", "link")) as Json[];
    const addrs = JSON.parse(ns.exec("ip", "-j", "addr")) as { addr_info: Json[] }[];
    const up = links.every((l) => l.operstate !== "DOWN" || !(l.flags as string[]).includes("UP"));
    const dad = addrs.every((a) => a.addr_info.every((x) => !x.tentative));
    if (up && dad) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 400));
}
