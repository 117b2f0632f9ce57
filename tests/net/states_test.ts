import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalState, SOCKET_STATES } from "../../src/net/states.ts";

test("canonicalState() reads the spellings of Linux netstat, ss, BSD netstat and lsof alike", () => {
  const cases: [string, string][] = [
    ["ESTABLISHED", "ESTABLISHED"],
    ["ESTAB", "ESTABLISHED"], // ss
    ["SYN_RECV", "SYN_RECV"], // Linux netstat
    ["SYN-RECV", "SYN_RECV"], // ss
    ["SYN_RCVD", "SYN_RECV"], // BSD netstat, lsof
    ["FIN_WAIT1", "FIN_WAIT1"],
    ["FIN-WAIT-1", "FIN_WAIT1"],
    ["FIN_WAIT_1", "FIN_WAIT1"],
    ["FIN_WAIT_2", "FIN_WAIT2"],
    ["CLOSE", "CLOSE"],
    ["CLOSED", "CLOSE"],
    ["TIME-WAIT", "TIME_WAIT"],
    ["UNCONN", "UNCONN"],
    ["NEW_SYN_RECV", "NEW_SYN_RECV"],
    ["UNKNOWN", "UNKNOWN"],
  ];
  for (const [printed, name] of cases) assert.equal(canonicalState(printed), name, printed);
});

test("canonicalState() takes what users type: any case, - or _, a few habits", () => {
  assert.equal(canonicalState("syn-recv"), "SYN_RECV");
  assert.equal(canonicalState("syn_rcvd"), "SYN_RECV");
  assert.equal(canonicalState(" listening "), "LISTEN");
  assert.equal(canonicalState("established"), "ESTABLISHED");
});

test("canonicalState() refuses what is no state, including Object.prototype names", () => {
  for (const t of ["open", "", "constructor", "toString", "__proto__", "ESTABLISHED2"]) {
    assert.equal(canonicalState(t), undefined, t);
  }
});

test("canonicalState() maps every name nsnap writes to itself", () => {
  for (const s of SOCKET_STATES) assert.equal(canonicalState(s), s);
});
