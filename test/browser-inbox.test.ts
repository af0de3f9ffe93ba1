// One uid on two devices, each a separate Chromium browser context on the demo page (so each has its own
// storage and its own SDK connection, loaded from the hub's /client/index.js): read state and unread
// counts propagate between them, and a device that was away catches up through the SDK's sync on
// reconnect — exactly what it missed, once — after the other device got and acked it.
// Each context plays one device with the page's "Device A" panel; its "Device B" panel is switched off.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { freePort } from "../loadtest/support/free-port.ts";
import { startHubProcess } from "../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../loadtest/support/service-process.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api, messageStatus, publish } from "./support/http.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let db: TestDatabase | undefined;
let hub: ServiceProcess | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

interface Device {
  page: Page;
  panel: Locator;
  /** Ids shown, top to bottom (newest first). */
  ids(): Promise<string[]>;
  unread(): Promise<string | null>;
  waitUnread(count: number): Promise<void>;
  message(id: string): Locator;
}

/** A new browser context on the demo page with `uid` open; its Device A panel is the device. */
async function device(uid: string): Promise<Device> {
  assert.ok(browser && hub);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${hub.url}/`);
  await page.fill("#uid", uid);
  await page.click("#open-btn");
  const panel = page.locator("#device-a");
  const spare = page.locator("#device-b");
  for (const p of [panel, spare]) await p.locator(".status", { hasText: "connected" }).waitFor({ timeout: 15_000 });
  await spare.locator(".toggle").click();
  await spare.locator(".status", { hasText: "closed" }).waitFor();
  const d: Device = {
    page,
    panel,
    ids: () => panel.locator("li.message").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-id") ?? "")),
    unread: () => panel.locator(".unread").textContent(),
    waitUnread: (count) => waitFor(async () => (await d.unread()) === String(count), `unread ${count} on ${uid}`).then(() => undefined),
    message: (id) => panel.locator(`li.message[data-id="${id}"]`),
  };
  return d;
}

const unreadOverHttp = async (uid: string) => (await api(hub!.url, "GET", `/api/users/${uid}/unread`)).body.unread as number;
const uidFor = (label: string) => `${label}-${Date.now().toString(36)}`;
const newestFirst = (ids: string[]) => [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  db = await createTestDatabase("browser_inbox");
  hub = await startHubProcess(await freePort(), { NODE_ENV: "development", DATABASE_URL: db.url, REDIS_URL: "", HUB_DEMO: "", UNREAD_PUSH_MS: "50" }, { readyTimeoutMs: 60_000 });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await hub?.stop();
  await db?.drop();
});

test("read on one device shows as read on the other, and both unread counts follow sends and reads", async () => {
  const uid = uidFor("pair");
  const one = await device(uid);
  const two = await device(uid);
  await one.waitUnread(0);
  await two.waitUnread(0);

  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(await publish(hub!.url, uid, { n: i }));
  for (const d of [one, two]) {
    await waitFor(async () => (await d.ids()).length === 3, "3 shown");
    assert.deepEqual(await d.ids(), newestFirst(ids));
    await d.waitUnread(3);
  }
  assert.equal(await unreadOverHttp(uid), 3);

  // (a) read on device one → device two shows it read and its count drops.
  await one.message(ids[1]!).locator(".mark-read").click();
  await two.message(ids[1]!).and(two.page.locator('[data-status="read"]')).waitFor({ timeout: 10_000 });
  await two.waitUnread(2);
  await one.waitUnread(2);
  assert.equal(await two.message(ids[0]!).getAttribute("data-status"), "unread", "only that one");
  assert.equal(await two.message(ids[2]!).getAttribute("data-status"), "unread");
  assert.equal(await unreadOverHttp(uid), 2);
  assert.equal(await messageStatus(hub!.url, ids[1]!), "read");

  // (b) more sends count on both; "mark all read" on device two clears both.
  ids.push(await publish(hub!.url, uid, { n: 3 }), await publish(hub!.url, uid, { n: 4 }));
  await one.waitUnread(4);
  await two.waitUnread(4);
  await two.panel.locator(".read-all").click();
  await one.waitUnread(0);
  await two.waitUnread(0);
  for (const id of ids) await one.message(id).and(one.page.locator('[data-status="read"]')).waitFor({ timeout: 10_000 });
  assert.equal(await unreadOverHttp(uid), 0);
  ids.push(await publish(hub!.url, uid, { n: 5 }));
  await one.waitUnread(1);
  await two.waitUnread(1);
  assert.equal(await two.message(ids[5]!).getAttribute("data-status"), "unread");
  assert.deepEqual(problems, [], "no console errors");
});

test("a device that was away catches up through sync on exactly what the other device got and acked, once", async () => {
  const uid = uidFor("away");
  const one = await device(uid);
  const two = await device(uid);
  const before = [await publish(hub!.url, uid, "before 1"), await publish(hub!.url, uid, "before 2")];
  for (const d of [one, two]) await waitFor(async () => (await d.ids()).length === 2, "both see the first two");

  await two.panel.locator(".toggle", { hasText: "Disconnect" }).click();
  await two.panel.locator(".status", { hasText: "closed" }).waitFor();
  const missed: string[] = [];
  for (let i = 0; i < 4; i++) missed.push(await publish(hub!.url, uid, `while away ${i}`));
  await waitFor(async () => (await one.ids()).length === 6, "device one gets them live");
  // Device one's SDK acked them: the hub records them delivered and will not redeliver them.
  await waitFor(async () => (await messageStatus(hub!.url, missed[3]!)) === "delivered", "acked by device one", 15_000);
  assert.deepEqual(await two.ids(), newestFirst(before), "device two saw nothing while away");

  await two.panel.locator(".toggle", { hasText: "Reconnect" }).click();
  await two.panel.locator(".status", { hasText: "connected" }).waitFor({ timeout: 15_000 });
  await waitFor(async () => (await two.ids()).length === 6, "device two catches up");
  await two.waitUnread(6);
  assert.deepEqual(await two.ids(), newestFirst([...before, ...missed]), "each message once, newest first");
  const synced = await two.panel.locator('li.message[data-source="sync"]').evaluateAll((lis) => lis.map((li) => li.getAttribute("data-id")));
  assert.deepEqual(synced, newestFirst(missed), "exactly the missed ones came through sync");
  const deliveries = await two.panel.locator("li.message").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-deliveries")));
  assert.deepEqual(deliveries, ["1", "1", "1", "1", "1", "1"], "the SDK handed each id over once");
  await two.page.waitForTimeout(300); // nothing more arrives late
  assert.equal((await two.ids()).length, 6);
  assert.deepEqual(problems, [], "no console errors");
});
