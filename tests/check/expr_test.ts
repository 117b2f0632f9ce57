import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { INTERFACE_STAT_NAMES } from "../../src/model.ts";
import {
  compareRational,
  type Decimal,
  ExpressionError,
  formatComparison,
  formatDecimal,
  formatThreshold,
  NATURAL_DENOMINATORS,
  naturalDenominator,
  OPERATORS,
  parseComparison,
  parseDecimal,
  parseThreshold,
  type Threshold,
} from "../../src/check/expr.ts";

test("parseThreshold() reads the three quantities and both subjects", () => {
  assert.deepEqual(parseThreshold("Tcp.RetransSegs <= 1%"), {
    subject: { kind: "counter", group: "Tcp", name: "RetransSegs" },
    op: "<=",
    quantity: { value: { digits: 1n, scale: 0 }, unit: "percent" },
  });
  assert.deepEqual(parseThreshold("counter:TcpExt.ListenOverflows==0").quantity, {
    value: { digits: 0n, scale: 0 },
    unit: "count",
  });
  const iface = parseThreshold("interface eth0.100 rxDropped <= 10.5/s");
  assert.deepEqual(iface.subject, { kind: "interface", interface: "eth0.100", stat: "rxDropped" });
  assert.deepEqual(iface.quantity, { value: { digits: 105n, scale: 1 }, unit: "per-second" });
  const of = parseThreshold("Tcp.EstabResets < 0.5% of Tcp.ActiveOpens");
  assert.deepEqual(of.of, { kind: "counter", group: "Tcp", name: "ActiveOpens" });
  const ofStat = parseThreshold("interface veth* txErrors <= 1% of txPackets");
  assert.deepEqual(ofStat.of, { kind: "interface", interface: "veth*", stat: "txPackets" });
  assert.equal(parseThreshold("Sockstat.TCP_inuse<=100").subject.kind, "counter");
});

test("parseThreshold() says what it expected and at which column", () => {
  const cases: Array<[string, RegExp, number]> = [
    ["", /empty threshold/, 1],
    ["Tcp", /expected "\." and a counter name after "Tcp"/, 4],
    ["Tcp.RetransSegs", /expected a comparison .* after Tcp\.RetransSegs, got the end/, 16],
    ["Tcp.RetransSegs 1%", /expected a comparison/, 17],
    ["Tcp.RetransSegs = 1%", /use "==" .* not "="/, 17],
    ["Tcp.RetransSegs <= ", /expected a number after <=, got the end/, 20],
    ["Tcp.RetransSegs <= -1", /cannot be negative/, 20],
    ["Tcp.RetransSegs <= 1,5%", /plain decimal number/, 21],
    ["Tcp.RetransSegs <= 1e3", /plain decimal number/, 21],
    ["Tcp.RetransSegs <= 1% off Tcp.OutSegs", /unexpected "off"/, 23],
    ["Tcp.RetransSegs <= 1 of Tcp.OutSegs", /"of" needs a percentage/, 22],
    ["Tcp.ActiveOpens <= 1%", /no natural denominator: say what the percentage is of/, 20],
    ["Tcp.CurrEstab <= 1/s", /gauge or a setting: compare its value/, 18],
    ["Tcp.RetransSegs <= 1% of Tcp.CurrEstab", /a share can only be taken of a counter/, 39],
    [
      "interface eth0 rxDrops <= 1",
      /expected an interface counter \(rxBytes, .*\), got "rxDrops"/,
      16,
    ],
    ["interface eth0", /expected an interface counter after the interface name/, 15],
    ["interface eth0 rxBytes <= 1%", /no natural denominator/, 27],
    ["1.5 <= Tcp.X", /expected a counter/, 1],
  ];
  for (const [text, re, column] of cases) {
    assert.throws(
      () => parseThreshold(text),
      (e: unknown) => {
        assert.ok(e instanceof ExpressionError, text);
        assert.match(e.message, re, text);
        assert.equal(e.column, column, `${text}: ${e.message}`);
        return true;
      },
    );
  }
});

test("every natural denominator names a counter or a stat that exists", () => {
  const stats = new Set<string>(INTERFACE_STAT_NAMES);
  for (const [k, v] of Object.entries(NATURAL_DENOMINATORS)) {
    if (k.includes(".")) assert.match(v, /^[A-Za-z0-9]+\.[A-Za-z0-9]+$/, k);
    else assert.ok(stats.has(k) && stats.has(v), k);
  }
  // snmp6 names are accepted with or without their group prefix.
  assert.deepEqual(naturalDenominator({ kind: "counter", group: "Udp6", name: "InErrors" }), {
    kind: "counter",
    group: "Udp6",
    name: "Udp6InDatagrams",
  });
});

test("decimals are exact and normalised: 1.50 is 1.5, 0.1 + 0.2 compares as 0.3", () => {
  assert.deepEqual(parseDecimal("1.50"), { digits: 15n, scale: 1 });
  assert.deepEqual(parseDecimal("007"), { digits: 7n, scale: 0 });
  assert.equal(formatDecimal(parseDecimal("0.050")), "0.05");
  assert.equal(formatDecimal(parseDecimal("10.0")), "10");
  assert.equal(compareRational({ num: 1n, den: 10n }, { num: 3n, den: 10n }), -1);
  assert.equal(compareRational({ num: 3n, den: 10n }, { num: 30n, den: 100n }), 0);
});

test("parseComparison() reads counts, MTUs and sysctl values, negatives included", () => {
  assert.deepEqual(parseComparison(">= 4096"), {
    op: ">=",
    value: { digits: 4096n, scale: 0 },
    negative: false,
  });
  assert.equal(formatComparison(parseComparison("!=-1")), "!= -1");
  assert.throws(() => parseComparison("4096"), /expected a comparison/);
  assert.throws(() => parseComparison(">= 1 2"), /unexpected "2"/);
});

const arbDecimal: fc.Arbitrary<Decimal> = fc.tuple(
  fc.bigInt({ min: 0n, max: 10n ** 12n }),
  fc.integer({ min: 0, max: 6 }),
).map(([digits, scale]) => parseDecimal(formatDecimal({ digits, scale })));

/** fc.record with ordinary objects, as the parser builds them. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
}

const arbName = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
const arbGroup = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/);
const arbIfname = fc.stringMatching(/^[a-z0-9.*?_-]{1,10}$/);
const arbStat = fc.constantFrom(...INTERFACE_STAT_NAMES);

/** Thresholds the parser must accept: the counters are ones with a denominator when needed. */
const arbThreshold: fc.Arbitrary<Threshold> = fc.oneof(
  rec({
    subject: rec({ kind: fc.constant("counter" as const), group: arbGroup, name: arbName })
      .filter((s) =>
        s.group !== "Sockstat" &&
        !`${s.group}.${s.name}`.match(/^Tcp\.(CurrEstab|Rto|MaxConn)|^Ip\.(Forwarding|DefaultTTL)/)
      ),
    op: fc.constantFrom(...OPERATORS),
    quantity: rec({
      value: arbDecimal,
      unit: fc.constantFrom("count" as const, "per-second" as const),
    }),
  }),
  rec({
    subject: fc.constant({ kind: "counter" as const, group: "Tcp", name: "RetransSegs" }),
    op: fc.constantFrom(...OPERATORS),
    quantity: rec({ value: arbDecimal, unit: fc.constant("percent" as const) }),
    of: fc.option(
      rec({ kind: fc.constant("counter" as const), group: arbGroup, name: arbName }),
      { nil: undefined },
    ),
  }).map(({ of, ...rest }): Threshold =>
    of === undefined || of.group === "Sockstat" ? rest : { ...rest, of }
  ),
  rec({
    subject: rec({
      kind: fc.constant("interface" as const),
      interface: arbIfname,
      stat: arbStat,
    }),
    op: fc.constantFrom(...OPERATORS),
    quantity: rec({
      value: arbDecimal,
      unit: fc.constantFrom("count" as const, "per-second" as const),
    }),
  }),
);

test("property: formatThreshold() text parses back to the same threshold", () => {
  fc.assert(
    fc.property(arbThreshold, (t) => {
      assert.deepEqual(parseThreshold(formatThreshold(t)), t);
    }),
    { numRuns: 500 },
  );
});

test("property: spaces around the operator and the counter: prefix change nothing", () => {
  fc.assert(
    fc.property(
      arbThreshold,
      fc.constantFrom("", " ", "  ", "\t"),
      fc.boolean(),
      (t, sp, prefix) => {
        const text = formatThreshold(t).replace(` ${t.op} `, `${sp}${t.op}${sp}`);
        const withPrefix = prefix && t.subject.kind === "counter" ? `counter:${text}` : text;
        assert.deepEqual(parseThreshold(`${sp}${withPrefix}${sp}`), t);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: any text either parses or fails with an ExpressionError inside the text", () => {
  const near = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.array(
      fc.constantFrom(
        "Tcp",
        ".",
        "RetransSegs",
        " ",
        "<=",
        "<",
        "=",
        "!",
        "1",
        "%",
        "/s",
        "of",
        "interface",
        "eth0",
        "rxDropped",
        "counter:",
        "-",
        "0.5",
      ),
      { maxLength: 10 },
    ).map((a) => a.join("")),
  );
  fc.assert(
    fc.property(near, (text) => {
      try {
        const t = parseThreshold(text);
        assert.deepEqual(parseThreshold(formatThreshold(t)), t);
      } catch (e) {
        assert.ok(e instanceof ExpressionError, `${JSON.stringify(text)}: ${e}`);
        assert.ok(
          e.column >= 1 && e.column <= text.length + 1,
          `${JSON.stringify(text)} column ${e.column}`,
        );
      }
    }),
    { numRuns: 2000 },
  );
});
