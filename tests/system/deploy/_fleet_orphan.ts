/**
 * Starts a fleet of two hosts, prints its folder, and waits to be killed: the fleet test kills
 * it with SIGKILL to check that `removeStaleFleets()` removes what it left.
 */
import { Fleet } from "../../helpers/fleet.ts";

const fleet = await Fleet.start(["orphan-1", "orphan-2"], { tag: "orph" });
console.log(fleet.dir);
console.log(fleet.hosts.map((h) => `${h.netns.name} ${h.veth} ${h.pid}`).join("\n"));
console.log("ready");
setTimeout(() => fleet.close(), 60_000); // bounded even if nobody kills it
