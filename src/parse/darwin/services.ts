/**
 * Well-known service names as BSD netstat prints them without `-n`, so resolved output
 * ("host.https") still yields numeric ports. Unknown or truncated names are reported, not guessed.
 */
const SERVICES: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  http: 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  "netbios-ns": 137,
  "netbios-dgm": 138,
  "netbios-ssn": 139,
  imap: 143,
  snmp: 161,
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
  postgresql: 5432,
  mdns: 5353,
};

/** Returns the port of a decimal or well-known service name, or undefined. */
export function servicePort(text: string): number | undefined {
  if (/^[0-9]{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return Object.hasOwn(SERVICES, text) ? SERVICES[text] : undefined;
}
