/**
 * Masks secrets in command lines before they are written into a snapshot (`--cmdline`).
 * A snapshot is attached to tickets; a password in an argv must never travel with it.
 *
 * Every argv element is looked into, not only matched whole: an element that is itself a
 * command line (`bash -c '… --password=x …'`, or a process that rewrote its title into one
 * element) is split like a shell would split it (quotes kept together) and masked word by word.
 * Masked (the value becomes `***`):
 * - options whose name suggests a secret, with `=` or `:` (`--password=x`, `--token:x`) or
 *   followed by their value (`--api-token x`), and options whose value is such an assignment
 *   (`--env=DB_PASSWORD=x`, `-e DB_PASSWORD=x`);
 * - `NAME=value` assignments whose name suggests a secret (`PGPASSWORD=x`);
 * - HTTP authorization (`Authorization: Bearer x`, in one element or split over several),
 *   bearer/basic/token schemes, and headers whose name suggests a secret (`X-Api-Key: x`);
 * - credentials in URLs: the password (`user:***@`), or a token standing alone (`***@`),
 *   passwords holding `@` or `/` included;
 * - query-string and form parameters whose name suggests a secret or a signature (`?api_key=`,
 *   `access_token=`, `sig=`, `X-Amz-Signature=`, `X-Goog-Signature=`, `password=`, `key=` …);
 * - a few programs' own short options: `mysql -pSECRET` (and mysqldump, mariadb …),
 *   `sshpass -p SECRET`, `redis-cli -a SECRET`, `curl -u user:SECRET`.
 * What is not masked is listed in SECURITY.md.
 */

/** What a masked value is replaced with. */
export const MASK = "***";

/** Option, variable, header and parameter names that suggest a secret. */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|token|secret|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_.])key$|credential|auth|session[-_]?id|cookie|(^|[-_])sig(nature)?$|signature|jwt)/i;

/** `--name=value`, `-name=value`, `--name:value` options. */
const OPTION_WITH_VALUE = /^(--?[A-Za-z0-9][A-Za-z0-9_.-]*)([=:])(.*)$/s;
/** `--name` options that take the next argument as their value. */
const OPTION_ALONE = /^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `NAME=value` assignments (environment style). */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
/**
 * Credentials inside URLs: scheme://userinfo@ where userinfo reaches to the last `@` before the
 * next space, so that a password holding `@` or `/` is masked whole.
 */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s@]*(?:@[^\s@]*)*)@(?=[^\s@]*(?:\s|$))/gi;
/** HTTP authorization headers and bearer tokens inside one argument. */
const AUTH_HEADER = /\b(authorization|proxy-authorization)\s*:\s*(\S+\s+)?\S+/gi;
const BEARER = /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Other header-style secrets inside one argument ("X-Api-Key: v", "Cookie: v"). */
const SECRET_HEADER = /^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(\S.*)$/s;
/** `name=value` pairs of a query string or form (`?a=1&b=2`, `;` too), inside any text. */
const PARAM = /([?&;]|^)([A-Za-z0-9_.\-[\]]+)=([^&;#\s]*)/g;

/** Short options some programs use for a password. */
const PROGRAM_SECRETS: Array<{ program: RegExp; glued?: string; next?: string[] }> = [
  {
    program: /^(mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlsh|mariadb.*)$/,
    glued: "-p",
  },
  { program: /^sshpass$/, next: ["-p"] },
  { program: /^redis-cli$/, next: ["-a"] },
];

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Masks credentials in URLs: `user:***@` when a user name is given, else `***@` (a token).
 * An `@` that starts a path segment after a plain dotted host (`https://registry.npmjs.org/@a/b`)
 * is no credential; anything else in doubt is masked.
 */
function maskUrls(text: string): string {
  return text.replace(URL_USERINFO, (m, scheme: string, info: string) => {
    const host = info.slice(0, info.indexOf("/") >>> 0);
    if (
      info.endsWith("/") && !info.includes("@") &&
      /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?$/.test(host)
    ) {
      return m;
    }
    const colon = info.indexOf(":");
    return colon >= 0 ? `${scheme}${info.slice(0, colon)}:${MASK}@` : `${scheme}${MASK}@`;
  });
}

/** Masks the values of secret-named query or form parameters. */
function maskParams(text: string): string {
  if (!text.includes("=")) return text;
  return text.replace(
    PARAM,
    (m, sep: string, name: string) => SECRET_NAME.test(name) ? `${sep}${name}=${MASK}` : m,
  );
}

/** The masks that apply anywhere inside one piece of text. */
function maskInline(text: string): string {
  const header = SECRET_HEADER.exec(text);
  // "X-Api-Key: v" masks v; "scheme://…" is a URL, handled below.
  if (header && SECRET_NAME.test(header[1]!) && !header[2]!.startsWith("//")) {
    return `${header[1]}: ${MASK}`;
  }
  return maskParams(
    maskUrls(text)
      .replace(AUTH_HEADER, (_m, name: string) => `${name}: ${MASK}`)
      .replace(BEARER, (_m, scheme: string) => `${scheme} ${MASK}`),
  );
}

/**
 * Splits text into words as a shell would (whitespace outside quotes separates), keeping each
 * word's quotes and the whitespace between words, so that joining them gives the text back.
 */
function splitWords(text: string): { words: string[]; gaps: string[] } {
  const words: string[] = [], gaps: string[] = [];
  let i = 0;
  const lead = /^\s*/.exec(text)![0];
  gaps.push(lead);
  i = lead.length;
  while (i < text.length) {
    let word = "";
    let quote = "";
    while (i < text.length) {
      const c = text[i]!;
      if (quote) {
        if (c === quote) quote = "";
      } else if (c === "'" || c === '"') quote = c;
      else if (/\s/.test(c)) break;
      else if (c === "\\" && i + 1 < text.length) {
        word += c + text[i + 1];
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    words.push(word);
    const gap = /^\s*/.exec(text.slice(i))![0];
    gaps.push(gap);
    i += gap.length;
  }
  return { words, gaps };
}

/** Masks a piece of text that is itself a command line, word by word. */
function maskEmbedded(text: string): string {
  const { words, gaps } = splitWords(text);
  // Words are unquoted for matching, and keep their quotes when not masked.
  const masked = maskWords(words.map(unquote));
  let out = gaps[0]!;
  for (let i = 0; i < words.length; i++) {
    out += (masked[i] === unquote(words[i]!) ? words[i] : requote(words[i]!, masked[i]!)) +
      gaps[i + 1]!;
  }
  return out;
}

/** A masked word in the quotes its original stood in, when it stood in one pair. */
function requote(original: string, masked: string): string {
  const q = original[0];
  return (q === "'" || q === '"') && original.length > 1 && original.endsWith(q)
    ? `${q}${masked}${q}`
    : masked;
}

function unquote(word: string): string {
  return word.replace(
    /'([^']*)'|"((?:[^"\\]|\\.)*)"/g,
    (_m, a?: string, b?: string) => a ?? b!.replace(/\\(.)/g, "$1"),
  );
}

/** Masks a list of words (an argv, or the words of one element). */
function maskWords(argv: readonly string[]): string[] {
  const program = basename(argv[0] ?? "");
  const rules = PROGRAM_SECRETS.filter((r) => r.program.test(program));
  const out: string[] = [];
  let maskNext = false;
  for (const [i, arg] of argv.entries()) {
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
    if (i > 0 && rules.some((r) => r.next?.includes(arg))) {
      maskNext = true;
      out.push(arg);
      continue;
    }
    const glued = i > 0
      ? rules.find((r) => r.glued && arg.startsWith(r.glued) && arg.length > 2)
      : undefined;
    if (glued) {
      out.push(`${glued.glued}${MASK}`);
      continue;
    }
    out.push(maskWord(arg, () => (maskNext = true), program, argv[i - 1]));
  }
  return out;
}

/** Masks one word; calls `maskNextWord` when the following word is this one's secret value. */
function maskWord(
  arg: string,
  maskNextWord: () => void,
  program: string,
  previous: string | undefined,
): string {
  // A word holding spaces is a command line of its own: `bash -c '…'`, a rewritten title.
  if (/\s/.test(arg.trim())) {
    const header = SECRET_HEADER.exec(arg);
    if (header && SECRET_NAME.test(header[1]!) && !header[2]!.startsWith("//")) {
      return `${header[1]}: ${MASK}`;
    }
    return maskEmbedded(arg);
  }
  const opt = OPTION_WITH_VALUE.exec(arg);
  if (opt) {
    const [, name, sep, value] = opt as unknown as [string, string, string, string];
    if (SECRET_NAME.test(name)) return `${name}${sep}${MASK}`;
    // --env=DB_PASSWORD=x, --header=Authorization: x, --url=https://u:p@h
    const inner = maskWord(value, () => {}, program, undefined);
    if (inner !== value) return `${name}${sep}${inner}`;
  }
  if (OPTION_ALONE.test(arg) && SECRET_NAME.test(arg)) {
    maskNextWord();
    return arg;
  }
  // curl -u user:secret, --user user:secret
  if (
    previous !== undefined && /^(-u|--user|--proxy-user)$/.test(previous) &&
    /^(curl|wget)$/.test(program) && arg.includes(":")
  ) {
    return `${arg.slice(0, arg.indexOf(":"))}:${MASK}`;
  }
  const asg = ASSIGNMENT.exec(arg);
  if (asg && SECRET_NAME.test(asg[1]!)) return `${asg[1]}=${MASK}`;
  // "Authorization:" or "X-Api-Key:" as its own word masks what follows.
  const header = /^([A-Za-z][A-Za-z0-9-]*):$/.exec(arg);
  if (header && (SECRET_NAME.test(header[1]!) || /authorization$/i.test(header[1]!))) {
    maskNextWord();
    return arg;
  }
  return maskInline(arg);
}

/**
 * Returns a copy of argv with secret values replaced by `***`, looking inside every element:
 * `--password=x`, `--token x`, `API_KEY=x`, `Authorization: Bearer x`, `scheme://user:pass@host`,
 * `?api_key=x`, `bash -c '… --password=x …'` and the other shapes in the module comment.
 *
 * @example
 * ```ts
 * maskCmdline(["app", "--password", "hunter2"]); // ["app", "--password", "***"]
 * maskCmdline(["sh", "-c", "app --token=abc"]); // ["sh", "-c", "app --token=***"]
 * ```
 */
export function maskCmdline(argv: readonly string[]): string[] {
  return maskWords(argv);
}
