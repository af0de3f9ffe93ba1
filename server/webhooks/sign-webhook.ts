import { Webhook } from "standardwebhooks";

/**
 * The Standard Webhooks headers for one POST. Each secret adds its own `v1,` signature (space-separated,
 * in the given order), so while a secret is rotated a receiver holding either the old or the new one verifies.
 */
export function webhookHeaders(input: { id: string; timestamp: Date; body: string; secrets: string[] }): Record<string, string> {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.timestamp, input.body));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(Math.floor(input.timestamp.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
