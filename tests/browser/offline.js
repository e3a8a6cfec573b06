// The checkpoint with the network cut (docs/federation.md, "Offline
// checkpoint"), in Chromium: a checkpoint's staff open the scanner online
// (the service worker keeps it, the keys go to IndexedDB), the network
// goes (context.setOffline and a relay that stops passing connections;
// the server's own log shows it was asked nothing meanwhile), the page reloads from the worker, a valid code, a
// tampered one and an expired one are checked in the page, temperatures
// are queued; back online the queue reaches the server, oldest first, and
// empties. Its own server, with 30 s tokens so that one expires within the
// test. run.js runs it; `scripts/browsertest --offline` runs it alone.
'use strict';
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { execFileSync } = require('child_process');

// cuttable is a TCP relay to the server that the browser goes through, so
// the test can cut the network for real: context.setOffline stops the
// page's own requests, but not the browser's (its service-worker update
// check still reached the server). Cut, the relay drops its connections
// and refuses new ones, counting them.
function cuttable(target) {
  const { hostname, port } = new URL(target);
  const open = new Set();
  let cut = false;
  let refused = 0;
  const relay = net.createServer((down) => {
    if (cut) { refused++; down.destroy(); return; }
    const up = net.connect(Number(port), hostname);
    const end = () => { down.destroy(); up.destroy(); open.delete(down); open.delete(up); };
    for (const s of [down, up]) { open.add(s); s.on('error', end); s.on('close', end); }
    down.pipe(up);
    up.pipe(down);
  });
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${relay.address().port}`,
    cut() { cut = true; for (const s of open) s.destroy(); open.clear(); },
    mend() { cut = false; },
    refused: () => refused,
    close: () => relay.close(),
  })));
}

// api calls the server's JSON API with an optional bearer token.
async function api(url, method, route, token, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// citizen logs a phone in over the API and applies with a passport; it
// resolves to the session and the person's id.
async function citizen(url, phone) {
  const otp = await api(url, 'POST', '/api/v1/auth/otp', '', { phone });
  assert.strictEqual(otp.status, 202, JSON.stringify(otp.body));
  const login = await api(url, 'POST', '/api/v1/auth/login', '', { phone, code: otp.body.dev_code });
  assert.strictEqual(login.status, 200, JSON.stringify(login.body));
  const no = false;
  const p = await api(url, 'POST', '/api/v1/persons', login.body.token, {
    identity: { doc_type: 'passport', number: 'E98765432', name: 'Wang Fang', phone },
    region: '330106',
    declaration: { fever: no, cough: no, other_symptoms: no, left_region_14d: no, abroad_14d: no, contact_cases: no, commitment: true },
  });
  assert.strictEqual(p.status, 201, JSON.stringify(p.body));
  return { session: login.body.token, id: p.body.id };
}

async function freshCode(url, who) {
  const c = await api(url, 'GET', `/api/v1/persons/${who.id}/code`, who.session);
  assert.strictEqual(c.status, 200, JSON.stringify(c.body));
  return c.body;
}

// tamper changes one character of the signature's text to another that
// still decodes, so the server reads the token as bad_signature.
async function tamper(url, token) {
  for (let i = 70; i < 140; i += 3) {
    const alt = token.slice(0, i) + (token[i] === '0' ? '1' : '0') + token.slice(i + 1);
    const v = await api(url, 'POST', '/api/v1/verify', '', { token: alt });
    if (v.body && v.body.reason === 'bad_signature') return alt;
  }
  throw new Error('no tampered token the server reads as bad_signature');
}

// requests resolves to the requests the server has logged so far (their
// patterns), once its log has been quiet for half a second: the lines come
// through a pipe, some time after the answers.
async function requests(server) {
  const read = () => (server.log().match(/msg=request .*?pattern="[^"]*"/g) || []).map((l) => l.replace(/^.*pattern=/, ''));
  for (let seen = read(); ;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = read();
    if (now.length === seen.length) return now;
    seen = now;
  }
}

async function offlineFlow({ chromium, executablePath, args, phone, bin, step, shot, startServer, consoleFault }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-offline-'));
  const dataDir = path.join(tmp, 'data');
  const server = await startServer(dataDir, [], '30s');
  const url = server.url; // the API, from here
  const relay = await cuttable(url);
  const site = relay.url; // the browser's way to the server
  const browser = await chromium.launch({ executablePath, args });
  try {
    const who = await citizen(url, '13700137000');
    const old = await freshCode(url, who); // expired by the time it is checked offline
    const key = execFileSync(bin, ['keys', 'create-checkpoint', '--name', '断网卡口', '--data', dataDir],
      { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const context = await browser.newContext(phone);
    const cp = await context.newPage();
    const errors = [];
    cp.on('pageerror', (e) => errors.push(e.message));
    cp.on('console', (m) => { if (consoleFault(m) && !/ERR_INTERNET_DISCONNECTED/.test(m.text())) errors.push(m.text()); });

    await step('offline checkpoint: online, the worker keeps the scanner and the keys are stored', async () => {
      await cp.goto(site + '/checkpoint');
      await cp.fill('#key', key);
      await cp.click('#staff-login');
      await cp.waitForSelector('#shift');
      await cp.evaluate(() => navigator.serviceWorker.ready);
      await cp.reload(); // now through the worker, which keeps this logged-in page
      assert.ok(await cp.evaluate(() => !!navigator.serviceWorker.controller), 'the worker does not control the scanner');
      const scope = await cp.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
      assert.strictEqual(scope, site + '/checkpoint');
      await cp.waitForFunction(() => document.getElementById('offline-keys').getAttribute('data-fetched'));
      assert.match(await cp.textContent('#offline-keys'), /离线核验密钥更新于 \d\d:\d\d/);
    });

    const wait = Date.parse(old.expires_at) - Date.now() + 1000;
    if (wait > 0) await cp.waitForTimeout(wait); // the old code expires
    const fresh = await freshCode(url, who); // and this one lives 30 s more
    const forged = await tamper(url, fresh.token);
    let before;
    await step('offline checkpoint: the network cut, the scanner reloads from the worker', async () => {
      before = await requests(server);
      assert.ok(before.length > 0, 'the server logs no requests to count');
      relay.cut();
      await context.setOffline(true);
      await cp.reload();
      assert.strictEqual(await cp.evaluate(() => navigator.onLine), false);
      assert.match(await cp.textContent('.staff'), /断网卡口/);
      assert.ok(await cp.isVisible('#temperature'), 'the kept scanner lost the temperature field');
    });

    // scan types a code (and a temperature) and verifies it offline.
    const scan = async (token, temperature) => {
      await cp.fill('#token', token);
      if (temperature) await cp.fill('#temperature', temperature);
      await cp.click('#verify');
      await cp.waitForSelector('#verdict[data-offline]');
      return {
        kind: await cp.getAttribute('#verdict', 'data-kind'),
        notice: await cp.textContent('#offline-notice'),
        reason: (await cp.isVisible('#verdict-reason')) ? await cp.textContent('#verdict-reason') : '',
      };
    };
    const next = async () => {
      await cp.click('#next-scan');
      await cp.waitForSelector('#verify-form');
    };

    await step('offline checkpoint: a valid code passes in the page, saying it is offline and when', async () => {
      const v = await scan(fresh.token);
      assert.strictEqual(v.kind, 'pass', v.reason);
      assert.match(v.notice, /^离线 — 颜色以码上所示为准，核验于 \d\d:\d\d$/);
      assert.match(await cp.textContent('#verdict-color'), /绿码/);
      assert.strictEqual(await cp.locator('#verdict dl, #verdict-reason, #offline-queued-note').count(), 0,
        'a pass without a temperature shows parts of the template it does not fill');
      await shot(cp, '33-checkpoint-offline-pass');
      await next();
    });

    await step('offline checkpoint: a tampered code is bad_signature, an expired one expired', async () => {
      let v = await scan(forged);
      assert.strictEqual(v.kind, 'invalid');
      assert.match(v.reason, /签名无效/);
      await next();
      v = await scan(old.token);
      assert.strictEqual(v.kind, 'invalid');
      assert.match(v.reason, /已过期/);
      await next();
    });

    await step('offline checkpoint: temperatures are queued, and the page counts them', async () => {
      let v = await scan(fresh.token, '36.6');
      assert.strictEqual(v.kind, 'pass');
      assert.ok(await cp.isVisible('#offline-queued-note'));
      assert.match(await cp.textContent('#verdict-temperature'), /^36\.6 °C$/);
      await next();
      v = await scan(fresh.token, '38.4');
      assert.strictEqual(v.kind, 'refuse');
      assert.match(await cp.textContent('#verdict-temperature'), /38\.4 °C（异常）/);
      await next();
      assert.strictEqual(await cp.getAttribute('#offline-queue', 'data-count'), '2');
      assert.match(await cp.textContent('#offline-queue'), /待发送体温：2 条/);
      await cp.locator('#offline').scrollIntoViewIfNeeded();
      await shot(cp, '34-checkpoint-offline-queue');
      assert.deepStrictEqual((await requests(server)).slice(before.length), [], 'the server was asked while the network was cut');
      console.log(`     the cut network refused ${relay.refused()} connections from the browser`);
    });

    await step('offline checkpoint: back online, the queue reaches the server and empties', async () => {
      relay.mend();
      await context.setOffline(false);
      await cp.waitForFunction(() => document.getElementById('offline-queue').getAttribute('data-count') === '0', null,
        { timeout: 10000 });
      assert.match(await cp.textContent('#offline-sent'), /已发送暂存体温 2 条，于 \d\d:\d\d/);
      assert.ok(!(await cp.isVisible('#offline-queue')));
      const h = await api(url, 'GET', `/api/v1/persons/${who.id}/history`, who.session);
      const last = h.body.entries[h.body.entries.length - 1];
      assert.strictEqual(last.to, 'yellow', `history ${JSON.stringify(h.body.entries)}`);
      assert.match(last.rule, /fever/, 'the yellow is not the fever taken offline');
      const v = await api(url, 'POST', '/api/v1/verify', key, { token: (await freshCode(url, who)).token });
      assert.strictEqual(v.body.color, 'yellow');
      assert.deepStrictEqual(errors, [], 'the offline scanner logged script errors');
    });
  } finally {
    await browser.close();
    relay.close();
    server.proc.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { offlineFlow };
