/**
 * What program a process is, decided once for show, port and diff alike.
 *
 * The rule: a program is its process name (`comm`, what `ps -o comm`, `top` and `ss -p` print).
 * The kernel sets it from the file name that was executed, so Debian's `redis-server` (a symlink
 * to `redis-check-rdb`) is "redis-server" and `/usr/bin/python3` (a symlink to python3.11) is
 * "python3". Three cases extend it, each from a fact the capture records without `--cmdline`
 * (`invokedAs`, the name argv[0] gives; see `invokedAs()`) or from the executable:
 * - a multi-call binary (busybox, toybox) run by its own name is the applet it runs:
 *   `busybox httpd` is "httpd", `busybox nc -ll` is "nc";
 * - a process name cut at the kernel's 15 bytes is completed by the invoked name or the
 *   executable's file name when that starts with it (`systemd-resolve` → `systemd-resolved`);
 * - a source that gives no process name falls back to the invoked name, then the executable's
 *   file name.
 * The executable itself (its path, `(deleted)` after an upgrade) is not the program: a new
 * binary of the same program is a restart, never an owner change.
 */

/** The longest process name the kernel keeps (TASK_COMM_LEN - 1); longer ones are cut. */
export const COMM_MAX = 15;

/** Binaries that are many programs, chosen by argv[0] or by their first argument. */
const MULTI_CALL = new Set(["busybox", "toybox"]);

/** What the rule reads of a process. */
export interface ProgramFacts {
  /** Process name (`comm`), or what a tool calls the process. */
  name: string;
  exe?: string | undefined;
  invokedAs?: string | undefined;
}

/** The file name of a path, without the kernel's " (deleted)" mark. */
export function exeName(exe: string | undefined): string | undefined {
  if (exe === undefined) return undefined;
  const base = exe.slice(exe.lastIndexOf("/") + 1).replace(/ \(deleted\)$/, "");
  return base === "" ? undefined : base;
}

/**
 * The program a process is (see the rule at the top of this file).
 *
 * @example
 * ```ts
 * import { programName } from "./programs.ts";
 * programName({ name: "busybox", exe: "/usr/bin/busybox", invokedAs: "httpd" }); // "httpd"
 * programName({ name: "python3", exe: "/usr/bin/python3.11" }); // "python3"
 * ```
 */
export function programName(p: ProgramFacts): string {
  const exe = exeName(p.exe);
  const name = p.name;
  if (name === "") return p.invokedAs ?? exe ?? "";
  if (MULTI_CALL.has(name) && p.invokedAs !== undefined && !MULTI_CALL.has(p.invokedAs)) {
    return p.invokedAs;
  }
  if (name.length === COMM_MAX) {
    for (const longer of [p.invokedAs, exe]) {
      if (longer !== undefined && longer.length > COMM_MAX && longer.startsWith(name)) {
        return longer;
      }
    }
  }
  return name;
}

const APPLET = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

/**
 * The name a command line invoked its program by, for `ProcessInfo.invokedAs`: argv[0]'s file
 * name, without the title a server writes after it (`nginx: worker process` → "nginx",
 * `/usr/bin/redis-server *:6379` → "redis-server", a login shell's `-bash` → "bash"); for a
 * multi-call binary run by its own name, the applet (`busybox httpd` → "httpd"). Nothing else
 * of the command line is kept. Undefined for an empty command line (kernel threads).
 *
 * @example
 * ```ts
 * import { invokedAs } from "./programs.ts";
 * invokedAs(["nginx: master process nginx -c /etc/nginx.conf"]); // "nginx"
 * invokedAs(["busybox", "nc", "-ll", "-p", "80"]); // "nc"
 * ```
 */
export function invokedAs(argv: readonly string[]): string | undefined {
  const first = (argv[0] ?? "").trim().split(/\s/)[0]!.replace(/:$/, "");
  const name = first.slice(first.lastIndexOf("/") + 1).replace(/^-/, "");
  if (name === "") return undefined;
  const applet = argv[1];
  if (MULTI_CALL.has(name) && applet !== undefined && APPLET.test(applet)) return applet;
  return name;
}
