/**
 * An Alertmanager webhook receiver on 127.0.0.1: records every notification with the receiver it
 * was addressed to (the URL path), so a test can wait for an alert or assert one never came.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert as Alertmanager's webhook payload carries it. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One alert received, with the receiver path it arrived on (`pager`, `chat`). */
export interface Received {
  readonly receiver: string;
  readonly alert: WebhookAlert;
}

/** A running webhook receiver. */
export interface Webhook {
  /** Base URL; a receiver named R posts to `${url}/R`. */
  readonly url: string;
  /** Every alert received so far. */
  readonly received: readonly Received[];
  close(): Promise<void>;
}

/** Starts the receiver on an ephemeral loopback port. */
export async function startWebhook(): Promise<Webhook> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as { alerts?: WebhookAlert[] };
        const receiver = (req.url ?? '/').replace(/^\//, '');
        for (const alert of payload.alerts ?? []) received.push({ receiver, alert });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
