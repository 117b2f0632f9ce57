/** What the check tests share: a policy with every key, and a UDP socket builder. */
import type { Connection } from "../../src/model.ts";
import { listen } from "../diff/_build.ts";

/** An unconnected UDP socket bound to address:port, owned by pid. */
export function udp(address: string, port: number, pid?: number): Connection {
  return { ...listen(address, port, pid), protocol: "udp", state: "UNCONN" };
}

/** A policy with every section and most keys. */
export const FULL = `schema: nsnap-policy/v1
description: every key
listeners:
  default: deny
  ephemeral-ports: 32768-60999
  allow:
    - name: web
      protocol: tcp
      family: [inet, inet6]
      port: [80, 443, "8000-8100"]
      address: [0.0.0.0, "::"]
      scope: any
      program: nginx
      user: [www-data, 33]
      namespace: host
  deny:
    - scope: public
      except:
        - program: nginx
          port: [80, 443]
  required:
    - program: nginx
      port: 443
      count: ">= 2"
routes:
  required:
    - destination: default
      family: inet
      gateway: 10.0.0.1
      interface: eth*
      table: main
      type: unicast
      metric: 0
      protocol: dhcp
      scope: global
      source: 10.0.0.0/24
  forbidden:
    - gateway: none
      table: 100
routing-rules:
  required:
    - from: 10.77.6.0/24
      to: all
      iif: eth0
      oif: eth1
      fwmark: "0x10"
      priority: 1000
      table: 100
      action: lookup
      family: inet
  forbidden:
    - table: 66
neighbours:
  required:
    - address: 10.0.0.1
      mac: "52:54:00:*"
      interface: eth0
      state: [REACHABLE, STALE]
      router: false
      proxy: false
      family: inet
  forbidden:
    - state: FAILED
settings:
  sysctl:
    net.ipv4.ip_forward: 0
    net.core.somaxconn: ">= 4096"
    net.ipv4.tcp_congestion_control: bbr
  interfaces:
    - name: eth0
      present: true
      up: true
      oper-state: [up, unknown]
      mtu: ">= 1500"
    - name: docker0
      present: false
rates:
  - Tcp.RetransSegs <= 1%
  - name: no overflows
    expr: TcpExt.ListenOverflows == 0
`;
