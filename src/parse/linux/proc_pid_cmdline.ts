/**
 * /proc/[pid]/cmdline: a process's arguments, each ended by a NUL, read the way `ps -o args`
 * shows them. A process may rewrite its argument area to set its title (nginx workers write
 * "nginx: worker process", PostgreSQL backends "postgres: 16/main: checkpointer"), padding the
 * rest of the area with NULs or spaces; split at every NUL, that padding would become dozens of
 * empty arguments. So: trailing empty arguments are dropped (an empty argument in the middle is
 * a real one and stays), and a title that is the only argument left loses its padding spaces.
 * A process whose title runs to the end of the area without a final NUL is read the same way.
 */

/**
 * The arguments in /proc/[pid]/cmdline text (empty text: a kernel thread or a zombie, no
 * arguments).
 * @example
 * ```ts
 * import { parseProcPidCmdline } from "./proc_pid_cmdline.ts";
 * parseProcPidCmdline("nginx: worker process\0\0\0\0\0");
 * // ["nginx: worker process"]
 * parseProcPidCmdline("nginx\0-g\0daemon off;\0");
 * // ["nginx", "-g", "daemon off;"]
 * ```
 */
export function parseProcPidCmdline(text: string): string[] {
  const argv = text.split("\0");
  while (argv.length > 0 && argv[argv.length - 1] === "") argv.pop();
  if (argv.length === 1) argv[0] = argv[0]!.replace(/ +$/, "");
  return argv.length === 1 && argv[0] === "" ? [] : argv;
}
