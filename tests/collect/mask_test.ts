/** Secret masking of recorded command lines (`capture --cmdline`). */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MASK, maskCmdline } from "../../src/collect/mask.ts";

test("maskCmdline() masks secret options given with = or as the next argument", () => {
  assert.deepEqual(
    maskCmdline([
      "app",
      "--password=hunter2",
      "--password",
      "hunter2",
      "--api-token",
      "t0k",
      "--key",
      "k",
    ]),
    ["app", `--password=${MASK}`, "--password", MASK, "--api-token", MASK, "--key", MASK],
  );
});

test("maskCmdline() masks KEY=value assignments whose name suggests a secret", () => {
  assert.deepEqual(
    maskCmdline(["env", "DB_PASSWORD=s3cret", "AWS_SECRET_ACCESS_KEY=x", "HOME=/root"]),
    ["env", `DB_PASSWORD=${MASK}`, `AWS_SECRET_ACCESS_KEY=${MASK}`, "HOME=/root"],
  );
});

test("maskCmdline() masks authorization headers, secret headers and bearer tokens", () => {
  assert.deepEqual(
    maskCmdline([
      "curl",
      "-H",
      "Authorization: Bearer abc",
      "-H",
      "X-Api-Key: qq",
      "-H",
      "Content-Type: text/plain",
    ]),
    [
      "curl",
      "-H",
      `Authorization: ${MASK}`,
      "-H",
      `X-Api-Key: ${MASK}`,
      "-H",
      "Content-Type: text/plain",
    ],
  );
  assert.deepEqual(maskCmdline(["x", "Authorization:", "Bearer", "abc"]), [
    "x",
    "Authorization:",
    "Bearer",
    MASK,
  ]);
});

test("maskCmdline() masks the password of credentials in URLs and keeps the rest", () => {
  assert.deepEqual(
    maskCmdline(["psql", "postgres://app:hunter2@db:5432/main", "https://example.org/a:b"]),
    ["psql", `postgres://app:${MASK}@db:5432/main`, "https://example.org/a:b"],
  );
});

test("maskCmdline() leaves ordinary arguments alone", () => {
  const argv = [
    "nginx",
    "-g",
    "daemon off;",
    "--port",
    "8080",
    "--keyboard-layout",
    "us",
    "-c",
    "/etc/x.conf",
  ];
  assert.deepEqual(maskCmdline(argv), argv);
});

test("maskCmdline() never lets a value after a secret option through, whatever the words", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("--password", "--token", "--secret", "--api-key", "--client-secret"),
      fc.stringMatching(/^[A-Za-z0-9._~+/=]{1,30}$/),
      (flag, secret) => {
        const out = maskCmdline(["app", flag, secret, `${flag}=${secret}`]);
        return !out.slice(1).includes(secret) && out.every((a) => !a.endsWith(`=${secret}`));
      },
    ),
    { numRuns: 200 },
  );
});

test("maskCmdline() masks inside an element that is itself a command line", () => {
  assert.deepEqual(maskCmdline(["bash", "-c", "curl --password=hunter2 -H 'X-Api-Key: k' x"]), [
    "bash",
    "-c",
    `curl --password=${MASK} -H 'X-Api-Key: ${MASK}' x`,
  ]);
  assert.deepEqual(maskCmdline(["sh", "-c", "app --token 'a b' && PGPASSWORD=z psql"]), [
    "sh",
    "-c",
    `app --token '${MASK}' && PGPASSWORD=${MASK} psql`,
  ]);
  // A title rewritten into one element, with or without a secret in it.
  assert.deepEqual(maskCmdline(["worker: --api-key abc --verbose"]), [
    `worker: --api-key ${MASK} --verbose`,
  ]);
  for (const title of ["postgres: app main 10.0.0.1(5432) idle", "nginx: worker process"]) {
    assert.deepEqual(maskCmdline([title]), [title]);
  }
});

test("maskCmdline() masks options whose value is a secret assignment, and name:value options", () => {
  assert.deepEqual(
    maskCmdline(["docker", "run", "--env=DB_PASSWORD=x", "-e", "API_KEY=y", "--token:z"]),
    ["docker", "run", `--env=DB_PASSWORD=${MASK}`, "-e", `API_KEY=${MASK}`, `--token:${MASK}`],
  );
});

test("maskCmdline() masks URL tokens, passwords with @ or /, and secret query parameters", () => {
  assert.deepEqual(
    maskCmdline([
      "git",
      "https://ghp_T0KEN@github.com/o/r.git",
      "postgres://app:p@ss/w0rd@db:5432/main",
      "https://registry.npmjs.org/@types/node",
      "https://x.example/a?api_key=A1&access_token=B2&sig=C3&page=2",
      "https://b.s3.amazonaws.com/k?X-Amz-Signature=D4&X-Amz-Credential=E5&X-Amz-Date=1",
      "https://storage.googleapis.com/k?X-Goog-Signature=F6",
      "--data=user=bob&password=G7&token=H8&secret=I9&passwd=J1&pwd=K2&auth=L3&key=M4",
    ]),
    [
      "git",
      `https://${MASK}@github.com/o/r.git`,
      `postgres://app:${MASK}@db:5432/main`,
      "https://registry.npmjs.org/@types/node",
      `https://x.example/a?api_key=${MASK}&access_token=${MASK}&sig=${MASK}&page=2`,
      `https://b.s3.amazonaws.com/k?X-Amz-Signature=${MASK}&X-Amz-Credential=${MASK}&X-Amz-Date=1`,
      `https://storage.googleapis.com/k?X-Goog-Signature=${MASK}`,
      `--data=user=bob&password=${MASK}&token=${MASK}&secret=${MASK}&passwd=${MASK}&pwd=${MASK}&auth=${MASK}&key=${MASK}`,
    ],
  );
});

test("maskCmdline() knows the password options of mysql, sshpass, redis-cli and curl", () => {
  assert.deepEqual(maskCmdline(["mysql", "-uroot", "-phunter2", "-p", "db"]), [
    "mysql",
    "-uroot",
    `-p${MASK}`,
    "-p",
    "db",
  ]);
  assert.deepEqual(maskCmdline(["sshpass", "-p", "pw", "ssh", "h"]), [
    "sshpass",
    "-p",
    MASK,
    "ssh",
    "h",
  ]);
  assert.deepEqual(maskCmdline(["redis-cli", "-a", "pw", "-p", "6379"]), [
    "redis-cli",
    "-a",
    MASK,
    "-p",
    "6379",
  ]);
  assert.deepEqual(maskCmdline(["curl", "-u", "bob:pw", "x"]), ["curl", "-u", `bob:${MASK}`, "x"]);
  // Elsewhere -p is a port and stays.
  assert.deepEqual(maskCmdline(["ssh", "-p", "2222", "h"]), ["ssh", "-p", "2222", "h"]);
});

/** Every shape that carries a secret, with {S} where the secret goes. */
const SHAPES: string[][] = [
  ["app", "--password={S}"],
  ["app", "--password", "{S}"],
  ["app", "--token:{S}"],
  ["app", "--env=DB_PASSWORD={S}"],
  ["docker", "run", "-e", "AWS_SECRET_ACCESS_KEY={S}"],
  ["env", "PGPASSWORD={S}", "psql"],
  ["curl", "-H", "Authorization: Bearer {S}"],
  ["curl", "-H", "Authorization:", "Bearer", "{S}"],
  ["curl", "-H", "X-Api-Key: {S}"],
  ["curl", "-H", "Cookie: session={S}"],
  ["curl", "-u", "bob:{S}", "https://x"],
  ["git", "clone", "https://{S}@github.com/o/r"],
  ["psql", "postgres://app:{S}@db/main"],
  ["psql", "postgres://app:p@{S}/x@db/main"],
  ["curl", "https://x/?api_key={S}"],
  ["curl", "https://x/?a=1&access_token={S}&b=2"],
  ["curl", "https://x/k?X-Amz-Signature={S}"],
  ["curl", "https://x/k?X-Goog-Signature={S}"],
  ["curl", "https://x/k?sig={S}"],
  ["bash", "-c", "app --password={S}"],
  ["bash", "-c", "app --secret '{S}'"],
  ["sh", "-c", "curl -H 'Authorization: token {S}' https://x"],
  ["worker: --api-key {S}"],
  ["mysql", "-p{S}"],
  ["sshpass", "-p", "{S}", "ssh", "h"],
  ["redis-cli", "-a", "{S}"],
];

test("maskCmdline(): a generated secret never appears in the output, in any shape", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SHAPES),
      // A secret ending in '/' before an '@' after a dotted host reads as a path (SECURITY.md).
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9@/+=._~-]{4,23}[A-Za-z0-9+=._~-]$/).map((s) =>
        `Zq${s}`
      ),
      (shape, secret) => {
        const argv = shape.map((a) => a.replace("{S}", secret));
        const out = maskCmdline(argv).join(" ");
        assert.ok(!out.includes(secret), `${JSON.stringify(argv)} → ${out}`);
      },
    ),
    { numRuns: 1000 },
  );
});
