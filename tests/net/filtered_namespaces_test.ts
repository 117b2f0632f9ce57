/**
 * Listeners of other namespaces are judged by their own namespace's firewall
 * (`namespaces[].firewall`), never by the host's; without it, they are not evaluated.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Firewall, Namespace } from "../../src/model.ts";
import { listenerVerdicts } from "../../src/net/filtered.ts";
import { listenerKey } from "../../src/net/sockets.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { socketsOnPort } from "../../src/view/port.ts";
import { listen, snap } from "../diff/_build.ts";

function dropping(port: number): Firewall {
  const { value, warnings } = parseNftRuleset(
    `table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport ${port} drop\n\t}\n}\n`,
  );
  assert.deepEqual(warnings, []);
  return { tables: value };
}

function netns(name: string, firewall?: Firewall): Namespace {
  const ns: Namespace = {
    id: `netns:${name}`,
    kind: "netns",
    name,
    labels: { netns: name },
    processes: 1,
    pids: [100],
    sections: { connections: { status: "ok" } },
  };
  if (firewall) {
    ns.firewall = firewall;
    ns.sections["firewall"] = { status: "ok", source: "nft" };
  }
  return ns;
}

const inside = (ns: string, c: Connection): Connection => ({ ...c, namespace: `netns:${ns}` });

function capture() {
  const s = snap(undefined, {
    connections: [
      listen("0.0.0.0", 9300, 1),
      inside("a", listen("0.0.0.0", 9300, 100)),
      inside("a", listen("0.0.0.0", 8080, 100)),
      inside("b", listen("0.0.0.0", 9000, 200)),
      inside("b", listen("127.0.0.1", 9001, 200)),
    ],
    firewall: dropping(9300),
    namespaces: [
      {
        id: "host",
        kind: "host",
        own: true,
        labels: {},
        processes: 1,
        pids: [1],
        sections: {},
      },
      netns("a", dropping(8080)),
      netns("b"),
    ],
  });
  s.meta.sections.firewall = { status: "ok" };
  return s;
}

test("a namespace's listener is judged by its own firewall, not the host's", () => {
  const s = capture();
  const v = listenerVerdicts(s);
  const at = (i: number) => v.get(listenerKey(s.connections[i]!));
  assert.deepEqual(at(0), {
    verdict: "filtered",
    reason: "inet filter input: `tcp dport 9300 drop`",
  });
  assert.equal(at(1)?.verdict, "open", "the host's drop of 9300 does not reach netns a");
  assert.deepEqual(at(2), {
    verdict: "filtered",
    reason: "inet filter input: `tcp dport 8080 drop`",
  });
  assert.deepEqual(at(3), {
    verdict: "not-evaluated",
    reason: "the firewall of netns:b was not read",
  });
  assert.equal(at(4), undefined, "a loopback listener has no verdict");
});

test("without the host's firewall, a namespace's own firewall still judges its listeners", () => {
  const s = capture();
  delete s.firewall;
  delete s.meta.sections.firewall;
  const v = listenerVerdicts(s);
  assert.equal(v.get(listenerKey(s.connections[0]!)), undefined);
  assert.equal(v.get(listenerKey(s.connections[2]!))?.verdict, "filtered");
  assert.equal(v.get(listenerKey(s.connections[3]!))?.verdict, "not-evaluated");
});

test("port N reports each namespace's listener with its own namespace's verdict", () => {
  const s = capture();
  const byNs = Object.fromEntries(
    socketsOnPort(s, 9300).map((r) => [r.namespace ?? "host", r.firewall]),
  );
  assert.deepEqual(byNs, { host: "filtered", "netns:a": "open" });
  const [b] = socketsOnPort(s, 9000);
  assert.equal(b?.firewall, "not-evaluated");
  assert.equal(b?.firewallReason, "the firewall of netns:b was not read");
});
