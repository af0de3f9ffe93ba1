import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { webhookHeaders } from "./sign-webhook.ts";
import { newWebhookSecret } from "./webhook-secret.ts";

const body = JSON.stringify({ type: "user.online", data: [{ uid: "u1" }] });

test("the headers carry the id, the unix timestamp in seconds and one v1 signature per secret", () => {
  const timestamp = new Date("2025-01-02T03:04:05.678Z");
  const headers = webhookHeaders({ id: "msg_1", timestamp, body, secrets: [newWebhookSecret(), newWebhookSecret()] });
  assert.equal(headers["webhook-id"], "msg_1");
  assert.equal(headers["webhook-timestamp"], String(Math.floor(timestamp.getTime() / 1000)));
  assert.match(headers["webhook-signature"] ?? "", /^v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+$/);
});

test("signatures follow the order of the secrets", () => {
  const [a, b] = [newWebhookSecret(), newWebhookSecret()];
  const timestamp = new Date();
  const both = webhookHeaders({ id: "msg_1", timestamp, body, secrets: [a, b] })["webhook-signature"];
  const onlyA = webhookHeaders({ id: "msg_1", timestamp, body, secrets: [a] })["webhook-signature"];
  const onlyB = webhookHeaders({ id: "msg_1", timestamp, body, secrets: [b] })["webhook-signature"];
  assert.equal(both, `${onlyA} ${onlyB}`);
});

test("during a rotation a receiver holding either secret verifies", () => {
  const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
  const headers = webhookHeaders({ id: "msg_2", timestamp: new Date(), body, secrets: [oldSecret, newSecret] });
  assert.deepEqual(new Webhook(oldSecret).verify(body, headers), JSON.parse(body));
  assert.deepEqual(new Webhook(newSecret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), /No matching signature/);
});

test("a tampered body, id or timestamp is rejected", () => {
  const secret = newWebhookSecret();
  const headers = webhookHeaders({ id: "msg_3", timestamp: new Date(), body, secrets: [secret] });
  const receiver = new Webhook(secret);
  assert.throws(() => receiver.verify(body.replace("u1", "u2"), headers), /No matching signature/);
  assert.throws(() => receiver.verify(body, { ...headers, "webhook-id": "msg_4" }), /No matching signature/);
  const earlier = String(Number(headers["webhook-timestamp"]) - 1);
  assert.throws(() => receiver.verify(body, { ...headers, "webhook-timestamp": earlier }), /No matching signature/);
});
