// A loopback port that was free a moment ago: bind port 0, read the port, close. For processes that take
// a port number, not a listening socket (etcd, kube-apiserver); the window between close and their bind
// is the price of that, as in envtest.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => {
        if (addr !== null && typeof addr === 'object') resolve(addr.port);
        else reject(new Error(`no port from ${JSON.stringify(addr)}`));
      });
    });
  });
}
