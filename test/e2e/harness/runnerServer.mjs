// The loopback HTTP endpoint that tests inside the extension host call back to (test/e2e/host/runnerLink.ts):
// the extension host has the VS Code API but cannot see pixels; the runner holds the browser and can.
// A random path prefix keeps other local processes from driving it by accident.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const MAX_BODY = 1 << 20;

/**
 * @param {Record<string, (body: any) => Promise<unknown>>} routes  path → handler; a handler's result is
 *   sent back as JSON, a thrown error as HTTP 500 with its message.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startRunnerServer(routes) {
  const prefix = `/${randomBytes(12).toString('hex')}`;
  const server = createServer((req, res) => {
    const reply = (status, value) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const path = req.url?.startsWith(`${prefix}/`) ? req.url.slice(prefix.length) : undefined;
    const handler = path !== undefined && req.method === 'POST' ? routes[path] : undefined;
    if (!handler) return reply(404, { error: 'not found' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
      if (text.length > MAX_BODY) req.destroy();
    });
    req.on('end', async () => {
      try {
        reply(200, (await handler(text ? JSON.parse(text) : {})) ?? {});
      } catch (error) {
        reply(500, { error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  server.requestTimeout = 120_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
