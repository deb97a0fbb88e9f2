import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  at: Date;
  triggerEvent: string;
  errorType?: string;
  errorMessage?: string;
  email?: string;
  delegationCredentialId?: string;
  signatureValid: boolean;
}

/**
 * The organization's webhook subscriber for the demo: records every DELEGATION_CREDENTIAL_ERROR delivery and checks
 * its `X-Cal-Signature-256` (hex HMAC-SHA256 of the raw body with the webhook secret).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server?: Server;

  constructor(private readonly secret: string) {}

  async listen(host: string, port: number): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const expected = createHmac('sha256', this.secret).update(raw).digest('hex');
        const given = String(req.headers['x-cal-signature-256'] ?? '');
        const signatureValid =
          given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
        try {
          const body = JSON.parse(raw.toString('utf8')) as {
            triggerEvent?: string;
            payload?: {
              error?: { type?: string; message?: string };
              user?: { email?: string };
              credential?: { delegationCredentialId?: string };
              delegationCredential?: { id?: string };
            };
          };
          this.received.push({
            at: new Date(),
            triggerEvent: body.triggerEvent ?? '?',
            errorType: body.payload?.error?.type,
            errorMessage: body.payload?.error?.message,
            email: body.payload?.user?.email,
            delegationCredentialId:
              body.payload?.credential?.delegationCredentialId ?? body.payload?.delegationCredential?.id,
            signatureValid,
          });
        } catch {
          this.received.push({ at: new Date(), triggerEvent: '(not JSON)', signatureValid });
        }
        res.writeHead(200).end();
      });
    });
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
    this.server = undefined;
  }
}
