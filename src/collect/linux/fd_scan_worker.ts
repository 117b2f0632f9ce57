/**
 * The descriptor scan in a worker thread (see fd_scan.ts): answers one request with one FdScan,
 * whose pairs travel as a transferred buffer (80k sockets are 1.3 MB, copied by no one).
 */
import { type FdScanRequest, scanFds } from "./fd_scan.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: { data: FdScanRequest }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (e) => {
  const { proc, self, names, next } = e.data;
  const scan = scanFds(proc, self, undefined, { names, next: new Int32Array(next), count: true });
  scope.postMessage(scan, [scan.pairs.buffer as ArrayBuffer]);
};
