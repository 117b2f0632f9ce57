/**
 * The last steps of a capture across namespaces, once every namespace was read and the owners of
 * every socket are known: the other namespaces' routes, interfaces, rules, neighbours and qdiscs
 * join the sections, the own
 * namespace's entry gets its sections' statuses, the host's forwards into namespaces are read
 * (docker-proxy processes among the owners, DNAT rules of the nat table), and each listener's
 * exposure is decided (net/namespace_exposure.ts) and stored on it — except in a light capture
 * (`exposure: false`: without owners, addresses or firewall there is nothing to decide it from),
 * which reads no forwards and says so.
 */
import type { Forward } from "../../../model.ts";
import { namespaceExposure } from "../../../net/namespace_exposure.ts";
import { socketRules } from "../../../net/sockets.ts";
import type { Collected, Place, Sections } from "../../contract.ts";
import type { Across } from "./capture.ts";
import { namespaceSection } from "./capture.ts";
import { dnatForwards, firewallForwards, placeForwards, proxyForwards } from "./forwards.ts";

/** Completes the sections and returns the capture's namespaces part. */
export function finishAcross(
  place: Place,
  sections: Sections,
  across: Across,
  { exposure: decide = true }: { exposure?: boolean } = {},
): NonNullable<Collected["namespaces"]> {
  for (const r of across.routes) sections.routes.value.push(r);
  for (const i of across.interfaces) sections.interfaces.value.push(i);
  for (const r of across.rules) sections.rules?.value.push(r);
  for (const n of across.neighbours) sections.neighbours?.value.push(n);
  for (const q of across.qdiscs) sections.qdiscs?.value.push(q);
  const own = across.namespaces.find((n) => n.own)!;
  own.sections = {
    connections: namespaceSection(sections.connections),
    routes: namespaceSection(sections.routes),
    interfaces: namespaceSection(sections.interfaces),
    counters: namespaceSection(sections.counters),
  };
  for (const name of ["rules", "neighbours", "qdiscs", "firewall"] as const) {
    const s = sections[name];
    if (s) own.sections[name] = namespaceSection(s);
  }
  const warnings = [...across.warnings];
  const forwards: Forward[] = [];
  if (!decide) warnings.push("forwards and exposure not captured: light capture");
  else if (across.ownIsHost) {
    const processes = sections.processes.value;
    forwards.push(
      ...proxyForwards(
        place.root,
        Object.keys(processes).map(Number),
        (pid) => processes[String(pid)]?.name,
      ),
    );
    const fw = sections.firewall;
    if (fw && fw.status.status !== "error") forwards.push(...firewallForwards(fw.value));
    else {
      const dnat = dnatForwards(place.runner);
      forwards.push(...dnat.forwards);
      warnings.push(...dnat.notes);
    }
  }
  placeForwards(forwards, sections.interfaces.value, across.namespaces);
  if (decide) decideExposure(sections, across, forwards);
  const status: NonNullable<Collected["namespaces"]>["status"] = warnings.length
    ? { status: "partial", warnings, captured: across.namespaces.length }
    : { status: "ok", captured: across.namespaces.length };
  if (across.unreadable > 0) status.unreadable = across.unreadable;
  return { list: across.namespaces, forwards, status, ownId: across.ownId };
}

/** Decides each listener's exposure (who can reach it from the host) and stores it on it. */
function decideExposure(sections: Sections, across: Across, forwards: Forward[]): void {
  const connections = sections.connections.value;
  const rules = socketRules({
    meta: { host: { os: "linux" } },
    connections,
    settings: sections.settings.value,
  });
  const exposure = namespaceExposure({
    connections,
    interfaces: sections.interfaces.value,
    namespaces: across.namespaces,
    forwards,
    socketRules: rules,
  });
  for (const [c, e] of exposure) c.exposure = e;
}
