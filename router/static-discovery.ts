// Discovery from a fixed list of sidecar URLs (SIDECAR_URLS): local runs, docker-compose, tests.
import { EventEmitter } from 'node:events';
import type { Discovery, Endpoint } from './endpoints.js';

export class StaticDiscovery extends EventEmitter implements Discovery {
  readonly synced = true;
  private readonly list: readonly Endpoint[];

  constructor(urls: readonly string[]) {
    super();
    this.list = [...new Set(urls)].map((url) => ({ key: url, url }));
  }

  endpoints(): readonly Endpoint[] {
    return this.list;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
