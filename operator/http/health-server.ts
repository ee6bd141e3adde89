// /healthz (the process serves), /readyz (caches synced, not stopping), /metrics (Prometheus).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSource {
  ready(): boolean;
}

export class HealthServer {
  private readonly server: Server;

  constructor(registry: Registry, health: HealthSource) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
        res.writeHead(code, { 'content-type': type }).end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(405, 'method not allowed\n');
        return;
      }
      if (path === '/healthz') {
        send(200, 'ok\n');
      } else if (path === '/readyz') {
        if (health.ready()) send(200, 'ok\n');
        else send(503, 'not ready\n');
      } else if (path === '/metrics') {
        registry.metrics().then(
          (text) => {
            send(200, text, registry.contentType);
          },
          (err: unknown) => {
            send(500, `${err instanceof Error ? err.message : String(err)}\n`);
          },
        );
      } else {
        send(404, 'not found\n');
      }
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => {
        if (err === undefined) resolve();
        else reject(err);
      });
      this.server.closeAllConnections();
    });
  }
}
