/**
 * Debian's ansible-playbook for tests, quiet and offline: the repository's
 * deploy/ansible/ansible.cfg, with every state folder (ANSIBLE_HOME, temporary folders, ssh
 * control sockets) in the test's own folder, so nothing lands in ~/.ansible.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ROOT } from "./cli.ts";

/** Debian's ansible-playbook. */
export const ANSIBLE_PLAYBOOK = "/usr/bin/ansible-playbook";
/** The folder of the playbooks and role under test. */
export const ANSIBLE_DIR = join(ROOT, "deploy/ansible");

/** Why ansible-playbook cannot run here, or `false`: for node:test's `skip`. */
export function ansibleSkip(): string | false {
  return existsSync(ANSIBLE_PLAYBOOK) ? false : `${ANSIBLE_PLAYBOOK} is missing (Debian's ansible)`;
}

/** What one ansible-playbook run produced. */
export interface PlaybookRun {
  code: number;
  output: string;
  ms: number;
}

/**
 * Runs `ansible-playbook -i INVENTORY PLAYBOOK ARGS` with its state under `work`; `remoteTmp`
 * is the hosts' folder for Ansible's own temporary files.
 */
export function ansiblePlaybook(
  work: string,
  inventory: string,
  playbook: string,
  args: string[],
  remoteTmp = "/srv/.ansible-tmp",
): Promise<PlaybookRun> {
  const home = join(work, "ansible-home");
  mkdirSync(join(home, "cp"), { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    ANSIBLE_CONFIG: join(ANSIBLE_DIR, "ansible.cfg"),
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: join(home, "tmp"),
    ANSIBLE_REMOTE_TEMP: remoteTmp,
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(home, "cp"),
    ANSIBLE_SSH_ARGS: "-F /dev/null -o ControlMaster=auto -o ControlPersist=30s",
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
  };
  const t0 = performance.now();
  // Asynchronous: the fleet's sshd logs are read by this process while the playbook runs.
  return new Promise((resolve) => {
    const child = spawn(ANSIBLE_PLAYBOOK, ["-i", inventory, playbook, ...args], {
      cwd: work,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Uint8Array) => (output += new TextDecoder().decode(d)));
    child.stderr.on("data", (d: Uint8Array) => (output += new TextDecoder().decode(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output, ms: performance.now() - t0 });
    });
  });
}
