// Probes and lifecycle handlers as the kubelet runs them: httpGet and tcpSocket from the node to the pod's
// IP (a 2xx/3xx answer within timeoutSeconds passes), exec inside the container (exit 0 passes; the
// timeout applies). The poller keeps the kubelet's counters: successThreshold consecutive passes make a
// container ready, failureThreshold consecutive failures make it unready (or, for liveness, restart it).
import http from 'node:http';
import net from 'node:net';
import type { Container, Handler, Probe } from './pod-spec.js';
import { docker } from './docker.js';

/** Resolves a probe's port (a number, or the name of one of the container's ports). */
export function probePort(port: number | string, c: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`pod runner: container ${c.name}: no port named ${port}`);
  return named.containerPort;
}

/** The kubelet's defaults for the probe fields left out. */
export function probeTiming(p: Probe) {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: (p.periodSeconds ?? 10) * 1000,
    timeoutMs: (p.timeoutSeconds ?? 1) * 1000,
    successThreshold: p.successThreshold ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

export interface HandlerTarget {
  podIP: string;
  container: Container;
  dockerName: string;
}

function httpCheck(url: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? '' : `HTTP ${code}`);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(err.message));
  });
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: timeoutMs });
    sock.once('connect', () => (sock.destroy(), resolve('')));
    sock.once('timeout', () => (sock.destroy(), resolve(`timeout after ${timeoutMs} ms`)));
    sock.once('error', (err) => resolve(err.message));
  });
}

/** Runs one handler; resolves with '' on success, else the reason it failed. */
export async function runHandler(h: Handler, t: HandlerTarget, timeoutMs: number): Promise<string> {
  if (h.httpGet) {
    const port = probePort(h.httpGet.port, t.container);
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
    for (const hd of h.httpGet.httpHeaders ?? []) headers[hd.name.toLowerCase()] = hd.value;
    const pathPart = h.httpGet.path ?? '/';
    return httpCheck(
      `http://${t.podIP}:${port}${pathPart.startsWith('/') ? '' : '/'}${pathPart}`,
      headers,
      timeoutMs,
    );
  }
  if (h.tcpSocket) return tcpCheck(t.podIP, probePort(h.tcpSocket.port, t.container), timeoutMs);
  if (h.exec) {
    const r = await docker(['exec', t.dockerName, ...h.exec.command], timeoutMs);
    return r.code === 0 ? '' : `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`;
  }
  return 'no handler';
}

/** The kubelet's result counters for one probe. */
export class ProbeState {
  successes = 0;
  failures = 0;
  constructor(
    private readonly successThreshold: number,
    private readonly failureThreshold: number,
    public passing: boolean,
  ) {}

  /** Records one result; returns true when `passing` changed. */
  record(ok: boolean): boolean {
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (!this.passing && this.successes >= this.successThreshold) return (this.passing = true);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.passing && this.failures >= this.failureThreshold) return !(this.passing = false);
    }
    return false;
  }
}
