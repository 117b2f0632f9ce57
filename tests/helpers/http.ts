/**
 * A plain HTTP GET for tests, with node:http so that no proxy setting in the environment can
 * send loopback or namespace traffic anywhere else; retried for a bounded time while the server
 * starts.
 */
import http from "node:http";

/** A response: its status code and body. */
export interface HttpResponse {
  status: number;
  body: string;
}

function getOnce(host: string, port: number, path: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: 5_000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${host}:${port} in 5 s`)));
    req.on("error", reject);
  });
}

/** GETs `http://HOST:PORT/PATH`, retrying refused or reset connections for up to `waitMs`. */
export async function httpGet(
  host: string,
  port: number,
  path = "/",
  waitMs = 10_000,
): Promise<HttpResponse> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await getOnce(host, port, path);
    } catch (e) {
      if (Date.now() > until) {
        throw new Error(`Cannot GET http://${host}:${port}${path}: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
