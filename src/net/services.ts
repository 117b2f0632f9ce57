/**
 * Well-known service names (after /etc/services) as netstat, ss and BSD netstat print them
 * without `-n`, so resolved output ("host.https", "localhost:smtp") still yields numeric ports.
 * A name missing here is reported by the parsers, never guessed.
 */
const SERVICES: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  "netbios-ns": 137,
  "netbios-dgm": 138,
  "netbios-ssn": 139,
  imap: 143,
  imap2: 143,
  snmp: 161,
  "snmp-trap": 162,
  ldap: 389,
  https: 443,
  "microsoft-ds": 445,
  syslog: 514,
  afpovertcp: 548,
  dsf: 555,
  submission: 587,
  ipp: 631,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  "ms-sql-s": 1433,
  ssdp: 1900,
  mysql: 3306,
  xserveraid: 3722,
  "xmpp-client": 5222,
  mdns: 5353,
  postgresql: 5432,
  x11: 6000,
  "http-alt": 8080,
  websm: 9090,
};

/** Returns the port of a decimal port or a well-known service name, or undefined. */
export function servicePort(text: string): number | undefined {
  if (/^[0-9]{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return Object.hasOwn(SERVICES, text) ? SERVICES[text] : undefined;
}

/** The well-known name of a port (`postgresql` for 5432), or undefined. */
export function serviceName(port: number): string | undefined {
  for (const [name, p] of Object.entries(SERVICES)) if (p === port) return name;
  return undefined;
}
