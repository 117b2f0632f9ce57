/**
 * Masks secrets in command lines before they are written into a snapshot (`--cmdline`).
 * A snapshot is attached to tickets; a password in an argv must never travel with it.
 */

/** What a masked value is replaced with. */
export const MASK = "***";

/** Option and variable names that suggest a secret. */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|token|secret|api[-_]?key|private[-_]?key|(^|[-_])key$|credential|auth|session[-_]?id|cookie)/i;

/** `--name=value` / `-name=value` options. */
const OPTION_WITH_VALUE = /^(--?[A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/s;
/** `--name` options that take the next argument as their value. */
const OPTION_ALONE = /^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `NAME=value` assignments (environment style). */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
/** Credentials inside URLs: scheme://user:password@host. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;
/** HTTP authorization headers and bearer tokens inside one argument. */
const AUTH_HEADER = /\b(authorization|proxy-authorization)\s*:\s*(\S+\s+)?\S+/gi;
const BEARER = /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Other header-style secrets inside one argument ("X-Api-Key: v", "Cookie: v"). */
const SECRET_HEADER = /^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(\S.*)$/s;

function maskInline(arg: string): string {
  const header = SECRET_HEADER.exec(arg);
  // "X-Api-Key: v" masks v; "scheme://…" is a URL, handled below.
  if (header && SECRET_NAME.test(header[1]!) && !header[2]!.startsWith("//")) {
    return `${header[1]}: ${MASK}`;
  }
  return arg
    .replace(URL_CREDENTIALS, (_m, head: string) => `${head}:${MASK}@`)
    .replace(AUTH_HEADER, (_m, name: string) => `${name}: ${MASK}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${MASK}`);
}

/**
 * Returns a copy of argv with secret values replaced by `***`: `--password=x`, `--token x`,
 * `API_KEY=x`, `Authorization: Bearer x`, and `scheme://user:pass@host`.
 *
 * @example
 * ```ts
 * maskCmdline(["app", "--password", "hunter2"]); // ["app", "--password", "***"]
 * ```
 */
export function maskCmdline(argv: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    if (maskNext) {
      maskNext = false;
      if (/^(bearer|basic|token|digest)$/i.test(arg)) {
        // "Authorization: Bearer <token>" split over arguments: the scheme stays, the token goes.
        out.push(arg);
        maskNext = true;
        continue;
      }
      if (!arg.startsWith("-")) {
        out.push(MASK);
        continue;
      }
    }
    const opt = OPTION_WITH_VALUE.exec(arg);
    if (opt && SECRET_NAME.test(opt[1]!)) {
      out.push(`${opt[1]}=${MASK}`);
      continue;
    }
    if (OPTION_ALONE.test(arg) && SECRET_NAME.test(arg)) {
      maskNext = true;
      out.push(arg);
      continue;
    }
    const asg = ASSIGNMENT.exec(arg);
    if (asg && SECRET_NAME.test(asg[1]!)) {
      out.push(`${asg[1]}=${MASK}`);
      continue;
    }
    // "Authorization:" as its own argument (curl -H Authorization: x) masks what follows.
    if (/^(proxy-)?authorization:?$/i.test(arg)) maskNext = true;
    out.push(maskInline(arg));
  }
  return out;
}
