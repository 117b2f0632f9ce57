/**
 * A small program for the netlink tests: dumps the links of a namespace (or of its own) and prints
 * one JSON line: whether netlink worked, through which FFI, the link names, or the reason and
 * errno code when it did not. Run by the tests as another user, without the ffi permission, and
 * compiled into a single executable.
 *
 *   probe.ts [NETNS_PATH]
 */
import process from "node:process";
import { dumpLinks } from "../../../src/collect/linux/netlink.ts";

const netns = process.argv[2];
const r = dumpLinks(netns ? { netns } : {});
console.log(JSON.stringify(
  r.ok
    ? { ok: true, runtime: r.runtime, names: r.records.map((l) => l.name) }
    : { ok: false, reason: r.reason, code: r.code },
));
