// End-to-end tests of healthcode's pages in Debian's Chromium, driven by
// playwright-core (no browser download). scripts/browsertest builds the
// server and the QR video tool and runs this with:
//
//	HC_BIN        the healthcode binary
//	HC_QRVIDEO    the qrvideo binary (a token's QR as a Y4M video)
//	CHROMIUM      the browser (default /usr/bin/chromium)
//	SCREENSHOTS   where the phone-size screenshots go (default docs/screenshots)
//
// The flow: apply through the form (an error first), see the code and its
// automatic refresh, verify the code text on the checkpoint page by hand
// (before and after a staff login: the shift's tally, the temperature, the
// verdict's beep and vibration counted), check in (twice), modify with a bad field, add a relative and switch to
// their code, read the history and help, switch language and text size,
// record venue visits (green: the door screen; yellow: the warning), use
// the pages with JavaScript off, decide an appeal and a home release as
// officials (officials.js), scan a fresh code through a fake camera, and
// check codes and queue temperatures with the network cut (offline.js).
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { officialsFlow } = require('./officials');
const { euFlow } = require('./eucert');
const { offlineFlow } = require('./offline');

const root = path.resolve(__dirname, '..', '..');
const bin = process.env.HC_BIN;
const qrvideo = process.env.HC_QRVIDEO;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = path.resolve(root, process.env.SCREENSHOTS || 'docs/screenshots');
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const baseArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
// The token lives 20 s, so the page's refresh (10 s before expiry) is seen
// within the test, and the camera scan still gets a fresh code.
const tokenTTL = '20s';

let passed = 0;
async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
  } catch (err) {
    console.error(`FAIL ${name}`);
    throw err;
  }
  passed++;
  console.log(`ok   ${name} (${Date.now() - start} ms)`);
}

// startServer runs `healthcode serve --dev` on a free port with a fresh
// data directory (and the extra flags given; codes live ttl) and resolves
// to its base URL.
function startServer(dataDir, extra = [], ttl = tokenTTL) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['serve', '--dev', '--addr', '127.0.0.1:0', '--data', dataDir, '--token-ttl', ttl, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    proc.stderr.on('data', (d) => { errText += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ proc, url: m[1], log: () => errText });
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${errText}`)));
    setTimeout(() => reject(new Error('server did not start in 30 s')), 30000);
  });
}

// consoleFault says whether a console message is a fault: form errors
// answer 422 or 409 by design, and the checkpoint asks for the trust
// list's keys first (404 on a server without a trust list).
function consoleFault(m) {
  if (m.type() !== 'error' || /status of 4(22|09)/.test(m.text())) return false;
  return !(/status of 404/.test(m.text()) && /\/api\/v1\/trust\/keys$/.test(m.location().url));
}

// shot saves a screenshot of the page, after checking the basics of
// accessibility that a machine can: a language, a heading, a label for
// every field, and field errors tied to their fields.
async function shot(page, name) {
  const problems = await page.evaluate(() => {
    const out = [];
    if (!document.documentElement.lang) out.push('no lang attribute');
    if (!document.querySelector('h1')) out.push('no h1');
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (!el.labels || el.labels.length === 0) out.push(`field ${el.id || el.name} has no label`);
    }
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
        if (!document.getElementById(id)) out.push(`aria-describedby names a missing ${id}`);
      }
    }
    for (const el of document.querySelectorAll('.field-error')) {
      if (!el.id) out.push('a field error no field points to');
    }
    return out;
  });
  assert.deepStrictEqual(problems, [], `accessibility of ${name}`);
  await page.screenshot({ path: path.join(shots, name + '.png') });
}

// shownQR reads the QR as the page draws it, in its colour: a screenshot
// of the element decoded by jsQR in a blank page, as a scanner would.
async function shownQR(page, selector) {
  const png = await page.locator(selector).screenshot();
  const blank = await page.context().newPage();
  try {
    await blank.addScriptTag({ path: require.resolve('jsqr/dist/jsQR.js') });
    return await blank.evaluate(async (b64) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height);
      const r = jsQR(d.data, d.width, d.height); // eslint-disable-line no-undef
      return r ? r.data : null;
    }, png.toString('base64'));
  } finally {
    await blank.close();
  }
}

// codeLooksLikeTheApps checks the code card: the region's code and its
// issuer named, the clock on one line, and the QR drawn in the colour it
// shows and still readable by a scanner.
async function codeLooksLikeTheApps(page, rgb) {
  assert.match(await page.textContent('#region-code'), /杭州健康码/);
  assert.match(await page.textContent('#issuer'), /杭州市卫生健康委员会.*发布/);
  const lines = await page.evaluate(() => document.getElementById('clock').getClientRects().length);
  assert.strictEqual(lines, 1, 'the clock wraps');
  const fill = await page.evaluate(() => getComputedStyle(document.querySelector('#qr svg path')).fill);
  assert.strictEqual(fill, rgb, 'the QR is not drawn in the colour');
  const before = (await page.textContent('#token')).trim();
  const read = await shownQR(page, '#qr');
  const after = (await page.textContent('#token')).trim();
  assert.ok(read === before || read === after, `the coloured QR reads ${read}`);
}

// countFeedback makes a context count the verdicts' vibrations and tones:
// navigator.vibrate is replaced (headless Chromium has no motor), the
// oscillators are counted and still started, so the real sound path runs.
async function countFeedback(context) {
  await context.addInitScript(() => {
    window.__feedback = { vibrate: [], tones: 0 };
    Object.defineProperty(navigator, 'vibrate', {
      configurable: true,
      value: (pattern) => { window.__feedback.vibrate.push(JSON.stringify(pattern)); return true; },
    });
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) { window.__feedback.tones++; return start.apply(this, args); };
  });
}

// feedback is what the page counted (countFeedback).
function feedback(page) { return page.evaluate(() => window.__feedback); }

async function login(page, url, number) {
  await page.goto(url + '/login');
  await page.fill('#phone', number);
  await page.click('#send-code');
  const code = (await page.textContent('#dev-code')).trim();
  await page.fill('#code', code);
  await page.click('#login');
}

// pickRegion chooses a region in the picker with JavaScript on: each
// choice fills the select below it from the server.
async function pickRegion(page, province, city, county) {
  await page.selectOption('#region-province', province);
  await page.waitForSelector(`#region-city option[value="${city}"]`, { state: 'attached' });
  await page.selectOption('#region-city', city);
  await page.waitForSelector(`#region option[value="${county}"]`, { state: 'attached' });
  await page.selectOption('#region', county);
}

// fillApplication fills the application form; declaration answers are all
// "no" and the commitment is ticked; region is province, city and county
// (Xihu District, Hangzhou unless given).
async function fillApplication(page, { number, name, phone: tel, relation, region = ['330000', '330100', '330106'] }) {
  if (relation) await page.selectOption('#relation', relation);
  await page.selectOption('#doc_type', 'resident_id');
  await page.fill('#identity-number', number);
  await page.fill('#identity-name', name);
  await page.fill('#identity-phone', tel);
  await pickRegion(page, ...region);
  for (const q of ['fever', 'cough', 'other_symptoms', 'left_region_14d', 'abroad_14d', 'contact_cases']) {
    await page.check(`#declaration-${q}-no`);
  }
  await page.check('#commitment');
}

async function main() {
  for (const [what, p] of [['HC_BIN', bin], ['HC_QRVIDEO', qrvideo], ['chromium', executablePath]]) {
    if (!p || !fs.existsSync(p)) throw new Error(`${what} not found at ${p}`);
  }
  fs.mkdirSync(shots, { recursive: true });
  if (process.env.HC_ONLY === 'offline') { // scripts/browsertest --offline: this flow alone
    await offlineFlow({ chromium, executablePath, args: baseArgs, phone, bin, step, shot, startServer, consoleFault });
    console.log(`${passed} browser steps passed`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-browser-'));
  const dataDir = path.join(tmp, 'data');
  const server = await startServer(dataDir);
  const url = server.url;
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: baseArgs });
    const citizen = await browser.newContext(phone);
    const page = await citizen.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Form errors answer 422 by design; anything else logged is a fault.
    page.on('console', (m) => { if (consoleFault(m)) errors.push(m.text()); });

    await step('home page, in Chinese by default', async () => {
      await page.goto(url + '/');
      assert.strictEqual(await page.getAttribute('html', 'lang'), 'zh-CN');
      await shot(page, '01-home');
    });

    await step('log in with phone and one-time code', async () => {
      await page.goto(url + '/login');
      await page.fill('#phone', '1380013');
      await page.click('#send-code');
      assert.match(await page.textContent('#phone-error'), /手机号/);
      assert.strictEqual(await page.inputValue('#phone'), '1380013');
      await page.fill('#phone', '13800138000');
      await page.click('#send-code');
      await page.waitForSelector('#dev-code');
      await shot(page, '21-login');
      await page.fill('#code', (await page.textContent('#dev-code')).trim());
      await page.click('#login');
      await page.waitForURL(/\/app\/apply$/);
    });

    await step('region picker: opens on the deployment\'s city; province → city → district cascade', async () => {
      assert.strictEqual(await page.inputValue('#region-province'), '330000');
      assert.strictEqual(await page.inputValue('#region-city'), '330100');
      assert.strictEqual(await page.inputValue('#region'), '');
      assert.strictEqual(await page.locator('#region-list').count(), 0, 'the no-script button stays with JavaScript on');
      await pickRegion(page, '420000', '420100', '420106');
      assert.match(await page.textContent('#region option:checked'), /武昌区/);
      await page.locator('#region-picker').scrollIntoViewIfNeeded();
      await shot(page, '31-region-picker');
    });

    await step('apply: bad fields are named in place and typed values kept', async () => {
      await fillApplication(page, { number: '110105194912310021', name: '张小三', phone: '13800138000' });
      await page.uncheck('#commitment');
      await page.click('#next');
      assert.match(await page.textContent('#identity-number-error'), /校验位/);
      assert.match(await page.textContent('#commitment-error'), /郑重承诺/);
      assert.strictEqual(await page.inputValue('#identity-number'), '110105194912310021');
      assert.strictEqual(await page.inputValue('#identity-name'), '张小三');
      await shot(page, '02-apply-errors');
    });

    await step('apply: confirmation screen, then the code', async () => {
      await page.fill('#identity-number', '11010519491231002X');
      await page.check('#commitment');
      await page.click('#next');
      await page.waitForSelector('#submit');
      assert.match(await page.textContent('main'), /11010519491231002X/);
      assert.match(await page.textContent('main'), /浙江省杭州市西湖区/);
      await shot(page, '03-confirm');
      await page.click('#submit');
      await page.waitForSelector('#code');
      assert.match(await page.textContent('#color-word'), /绿码/);
      assert.strictEqual((await page.textContent('#masked-name')).trim(), '张*三');
      assert.ok(!(await page.content()).includes('11010519491231002X'), 'the code page shows the ID number');
    });

    let token;
    await step('code page: live clock ticks and the token refreshes before it expires', async () => {
      const t0 = await page.textContent('#clock');
      await page.waitForFunction((t) => document.getElementById('clock').textContent !== t, t0, { timeout: 3000 });
      token = (await page.textContent('#token')).trim();
      assert.match(token, /^HCN1:/);
      await codeLooksLikeTheApps(page, 'rgb(10, 125, 51)');
      assert.match(await page.textContent('#test'), /暂无核酸记录/);
      assert.match(await page.textContent('#vaccine'), /暂无接种记录/);
      await shot(page, '04-code');
      await page.waitForFunction((t) => document.getElementById('token').textContent.trim() !== t, token, { timeout: 20000 });
      token = (await page.textContent('#token')).trim();
    });

    await step('checkpoint: no black box before the camera; staff see their shift; a verdict beeps and buzzes', async () => {
      const staff = await browser.newContext(phone);
      await countFeedback(staff);
      const cp = await staff.newPage();
      cp.on('pageerror', (e) => errors.push(e.message));
      await cp.goto(url + '/checkpoint');
      assert.ok(await cp.isVisible('#camera-placeholder'), 'no instruction where the camera will be');
      assert.ok(!(await cp.isVisible('#video')), 'the video shows before the camera plays');
      assert.ok(!(await cp.isVisible('#temperature')), 'a temperature field nobody logged in may fill');
      await shot(cp, '05-checkpoint');
      const key = execFileSync(bin, ['keys', 'create-checkpoint', '--name', '西湖3号门', '--data', dataDir],
        { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      await cp.fill('#key', key);
      await cp.click('#staff-login');
      await cp.waitForSelector('#shift');
      assert.match(await cp.textContent('.staff'), /卡口：\s*西湖3号门/);
      assert.match(await cp.textContent('label[for=temperature]'), /选填/);
      assert.strictEqual(await cp.textContent('#shift-passed'), '0');
      await shot(cp, '28-checkpoint-staff');
      await cp.fill('#token', token);
      await cp.fill('#temperature', '36.6');
      const start = Date.now();
      await cp.click('#verify');
      await cp.waitForSelector('#verdict');
      // Reported, not asserted: a loaded machine must not fail the build.
      console.log(`     verdict shown ${Date.now() - start} ms after the click`);
      assert.strictEqual(await cp.getAttribute('#verdict', 'data-kind'), 'pass');
      assert.strictEqual((await cp.textContent('#verdict-name')).trim(), '张*三');
      assert.strictEqual((await cp.textContent('#verdict-temperature')).trim(), '36.6 °C');
      assert.strictEqual(await cp.textContent('#shift-passed'), '1');
      assert.ok(!/用时|µs/.test(await cp.textContent('main')), 'the verdict shows how long the check took');
      let fb = await feedback(cp);
      assert.deepStrictEqual(fb.vibrate, ['120'], 'a pass vibrates once, short');
      assert.strictEqual(fb.tones, 1, 'a pass beeps once');
      await shot(cp, '06-verdict-pass');
      await cp.click('#next-scan');
      await cp.fill('#token', token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA'));
      await cp.click('#verify');
      assert.strictEqual(await cp.getAttribute('#verdict', 'data-kind'), 'invalid');
      assert.strictEqual(await cp.textContent('#shift-refused'), '1');
      assert.strictEqual(await cp.evaluate(() => window.scrollY), 0, 'the verdict opens scrolled away from its word');
      fb = await feedback(cp);
      assert.deepStrictEqual(fb.vibrate, ['[300,100,300]'], 'a refusal vibrates long, twice');
      assert.strictEqual(fb.tones, 2, 'a refusal sounds two tones');
      await shot(cp, '07-verdict-invalid');
      await cp.goto(url + '/checkpoint');
      assert.deepStrictEqual([await cp.textContent('#shift-passed'), await cp.textContent('#shift-refused')], ['1', '1']);
      await staff.close();
    });

    const codeURL = page.url().split('?')[0];
    await step('daily check-in: bad input named, then done once, then says so', async () => {
      await page.click('#act-checkin');
      await shot(page, '22-checkin');
      await page.check('#symptoms-no');
      await page.fill('#celsius', '36,x');
      await page.click('#checkin-submit');
      assert.match(await page.textContent('#celsius-error'), /数字/);
      assert.strictEqual(await page.inputValue('#celsius'), '36,x');
      await page.fill('#celsius', '36.5');
      await page.click('#checkin-submit');
      await page.waitForSelector('#code');
      assert.match(await page.textContent('#checked'), /已打卡/);
      await page.goto(codeURL + '/checkin');
      assert.match(await page.textContent('#already'), /已经打过卡/);
      await shot(page, '08-checkin-done');
    });

    await step('modify: chances left shown, an unfinished region named', async () => {
      await page.goto(codeURL + '/modify');
      assert.match(await page.textContent('#chances'), /\d/);
      assert.strictEqual(await page.inputValue('#region'), '330106');
      await page.selectOption('#region-province', '420000');
      await page.waitForSelector('#region-city option[value="420100"]', { state: 'attached' });
      await page.click('#modify-submit');
      assert.match(await page.textContent('#region-error'), /请依次选择省份、城市和区县/);
      assert.strictEqual(await page.inputValue('#region-province'), '420000');
      await shot(page, '09-modify-errors');
    });

    await step('re-apply: offered once, with the form and its warning', async () => {
      await page.goto(codeURL);
      await page.click('#act-reapply');
      assert.match(await page.textContent('main'), /只有一次/);
      await shot(page, '23-reapply');
    });

    await step('relatives: add a parent and switch between codes', async () => {
      await page.goto(url + '/app/persons');
      await page.click('#add-relative');
      await fillApplication(page, { number: '33010619500101002' + checkChar('33010619500101002'), name: '李秀英', phone: '13900000009', relation: 'parent' });
      await page.check('#declaration-cough-yes'); // a declared cough: yellow, and the page says why
      await page.click('#next');
      await page.click('#submit');
      // Her own phone consents: the code sent to it (shown on --dev servers).
      await page.waitForSelector('#consent_code');
      await shot(page, '24-relative-consent');
      await page.fill('#consent_code', (await page.textContent('#dev-code')).trim());
      await page.click('#submit');
      await page.waitForSelector('#code');
      assert.strictEqual((await page.textContent('#masked-name')).trim(), '李*英');
      assert.match(await page.textContent('#color-word'), /黄码/);
      assert.match(await page.textContent('#reason'), /症状/);
      assert.ok((await page.textContent('#next')).trim().length > 0, 'no "what next" for a yellow code');
      await codeLooksLikeTheApps(page, 'rgb(201, 148, 0)');
      await shot(page, '18-code-yellow');
      await page.locator('.status').scrollIntoViewIfNeeded();
      await shot(page, '19-code-yellow-why');
      await page.goto(url + '/app/persons');
      const text = await page.textContent('main');
      assert.match(text, /张\*三/);
      assert.match(text, /李\*英/);
      await shot(page, '10-relatives');
      await page.goto(codeURL);
      await page.click('.switch a:not([aria-current])');
      assert.strictEqual((await page.textContent('#masked-name')).trim(), '李*英');
      assert.match(await page.textContent('h1'), /^\s*(父母|配偶|子女|其他同住亲属)的健康码\s*$/, "a relative's code is titled as mine");
    });

    await step('the family on one screen: every code a card, each opening its full code', async () => {
      await page.goto(url + '/app/persons');
      await page.click('#family-link');
      await page.waitForSelector('.family');
      assert.strictEqual(await page.locator('.family .mini').count(), 2);
      const text = await page.textContent('.family');
      assert.match(text, /张\*三[\s\S]*绿码/);
      assert.match(text, /李\*英[\s\S]*黄码/);
      assert.strictEqual(await page.locator('.family .qr svg').count(), 2);
      await shot(page, '26-family');
      await page.click('.mini.code-yellow');
      await page.waitForSelector('#code');
      assert.strictEqual((await page.textContent('#masked-name')).trim(), '李*英');
      await page.goto(codeURL);
      await page.click('#family-link');
      await page.waitForSelector('.family');
    });

    await step('nucleic-acid and vaccination state beside the code, from the feeds', async () => {
      const key = execFileSync(bin, ['keys', 'create-feed', '--name', 'lab-1', '--kinds', 'lab,vaccination', '--data', dataDir],
        { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      const feed = async (kind, csv) => {
        const res = await fetch(`${url}/api/v1/feeds/${kind}`, {
          method: 'POST', body: csv, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/csv' },
        });
        assert.ok(res.ok, `feed ${kind}: ${res.status} ${await res.text()}`);
      };
      const now = new Date(Date.now() - 60000).toISOString();
      const sampled = new Date(Date.now() - 6 * 3600000).toISOString();
      await feed('lab', `source_ref,doc_number,at,sampled,result,lab\nR-1,11010519491231002X,${now},${sampled},negative,West Lake Lab\n`);
      const older = new Date(Date.now() - 50 * 3600000).toISOString();
      await feed('lab', `source_ref,doc_number,at,sampled,result\nR-0,11010519491231002X,${older},${older},negative\n`);
      await feed('vaccination', `source_ref,doc_number,at,dose,product\nV-1,11010519491231002X,${sampled},2,CoronaVac\n`);
      await page.goto(codeURL);
      assert.match(await page.textContent('#test-hours'), /24小时/);
      assert.match(await page.textContent('#test'), /阴性/);
      assert.match(await page.textContent('#vaccine'), /已接种2剂/);
      assert.match(await page.textContent('#vaccine-full'), /全程接种/);
      await page.locator('.tiles').scrollIntoViewIfNeeded();
      await shot(page, '20-code-tests-vaccination');
      await page.click('#test');
      await page.waitForSelector('#tests');
      assert.strictEqual(await page.locator('#tests li').count(), 2);
      assert.match(await page.textContent('#tests li:first-child'), /阴性[\s\S]*West Lake Lab/);
      await shot(page, '25-tests');
    });

    await step('elder mode: a large QR first, colour and name large; it stays on until turned off', async () => {
      await page.goto(codeURL);
      await page.click('#elder-switch');
      await page.waitForSelector('body.elder');
      const qr = await page.locator('#qr svg').boundingBox();
      assert.ok(qr.width >= 300 && qr.y < 120, `the elder QR is ${qr.width} px wide at ${qr.y}`);
      assert.match(await page.textContent('#color-word'), /绿码/);
      assert.strictEqual(await page.evaluate(() => document.getElementById('clock').getClientRects().length), 1,
        'the clock wraps in elder mode');
      assert.strictEqual(await page.locator('.status, .tiles, .actions').count(), 0, 'elder mode shows more than the code');
      await shot(page, '27-elder-mode');
      await page.goto(url + '/app/persons');
      await page.goto(codeURL);
      assert.ok(await page.isVisible('body.elder .elder-card'), 'elder mode did not stay on');
      await page.click('#elder-switch');
      await page.waitForSelector('body:not(.elder) .tiles');
    });

    await step('history and help', async () => {
      await page.goto(codeURL + '/history');
      assert.ok(await page.isVisible('#verified'));
      // A change is in a signed head within a round of the sequencer
      // (200 ms): until then the page says it is not checked yet.
      for (let i = 0; i < 20 && !(await page.isVisible('#in-log')); i++) {
        await page.waitForTimeout(250);
        await page.reload();
      }
      assert.ok(await page.isVisible('#in-log'), 'the history was never checked against the public log');
      assert.match(await page.textContent('main'), /已与公开日志核对/);
      assert.match(await page.textContent('main'), /操作方：系统自动/);
      await shot(page, '11-history');
      await page.goto(url + '/help');
      assert.match(await page.textContent('main'), /截图/);
      await shot(page, '12-help');
    });

    await step('language switch to English and large text', async () => {
      await page.goto(codeURL);
      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.match(await page.textContent('#color-word'), /GREEN/);
      await page.click('#text-switch');
      await page.waitForSelector('body.large');
      assert.match(await page.textContent('#region-code'), /Hangzhou Health Code/);
      assert.strictEqual(await page.evaluate(() => document.getElementById('clock').getClientRects().length), 1,
        'the clock wraps in large text');
      await shot(page, '13-code-english-large');
      await page.goto(url + '/help');
      assert.match(await page.textContent('h1'), /Questions/);
      await page.click('#lang-switch');
      await page.click('#text-switch');
      assert.strictEqual(await page.getAttribute('html', 'lang'), 'zh-CN');
    });
    await step('venue code: an admin prints it, a citizen opens it and records a visit', async () => {
      const admin = await browser.newContext(phone);
      const a = await admin.newPage();
      const key = execFileSync(bin, ['keys', 'create-admin', '--name', 'ops', '--data', dataDir],
        { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      await a.goto(url + '/venues/new');
      await a.fill('#key', key);
      await a.click('#staff-login');
      await a.fill('#name', '西湖景区3号门');
      await pickRegion(a, '330000', '330100', '330106');
      await a.click('#venue-create');
      await a.waitForSelector('#venue .qr svg');
      await shot(a, '14-venue-poster');
      const visitURL = await a.getAttribute('#venue-url', 'href');
      await admin.close();
      await page.goto(visitURL);
      assert.match(await page.textContent('#venue-name'), /西湖景区3号门/);
      await shot(page, '15-venue-visit');
      await page.click('#visit-submit');
      await page.waitForSelector('#visited');
      assert.match(await page.textContent('h1'), /登记成功/);
      assert.match(await page.textContent('#venue-name'), /西湖景区3号门/);
      assert.ok(!(await page.isVisible('#visit-warning')), 'a green code is warned');
      const t0 = await page.textContent('#visit-clock');
      await page.waitForFunction((t) => document.getElementById('visit-clock').textContent !== t, t0, { timeout: 3000 });
      await shot(page, '29-visit-done');
      // Her code is yellow: the visit is recorded, and she is told not to go in.
      await page.goto(visitURL);
      await page.check('label:has-text("李*英") input[name=person]');
      await page.click('#visit-submit');
      await page.waitForSelector('#visit-warning');
      assert.match(await page.textContent('#visit-warning'), /黄码.*不能进入/);
      assert.match(await page.textContent('h1'), /请勿进入/);
      await shot(page, '30-visit-warning');
    });

    await step('community entry (seed 002): green code without a checked pass is refused', async () => {
      const staff = await browser.newContext(phone);
      const cp = await staff.newPage();
      // Here the browser's own vibrate and sound run, unstubbed: they must
      // log no error.
      cp.on('pageerror', (e) => errors.push(e.message));
      cp.on('console', (m) => { if (consoleFault(m)) errors.push(m.text()); });
      await page.goto(codeURL);
      const fresh = (await page.textContent('#token')).trim();
      await cp.goto(url + '/checkpoint?mode=community');
      await shot(cp, '16-community-entry');
      await cp.fill('#token', fresh);
      await cp.click('#verify');
      assert.strictEqual(await cp.getAttribute('#verdict', 'data-kind'), 'refuse');
      await shot(cp, '17-verdict-refuse');
      await cp.click('#next-scan');
      await cp.fill('#token', fresh);
      await cp.check('#pass_checked');
      await cp.click('#verify');
      assert.strictEqual(await cp.getAttribute('#verdict', 'data-kind'), 'pass');
      await staff.close();
    });
    assert.deepStrictEqual(errors, [], 'the pages logged script errors');
    await citizen.close();

    await step('JavaScript off: log in, see the code and refresh it by the button', async () => {
      const nojs = await browser.newContext({ ...phone, javaScriptEnabled: false });
      const p = await nojs.newPage();
      await login(p, url, '13800138000');
      await p.waitForSelector('#code');
      const before = (await p.textContent('#token')).trim();
      assert.ok(await p.isVisible('#qr svg'));
      await p.waitForTimeout(1100); // tokens are signed to the second
      await p.click('#refresh');
      assert.notStrictEqual((await p.textContent('#token')).trim(), before);
      await nojs.close();
    });

    await step('JavaScript off: the region picker lists a province\'s cities and a city\'s districts by its button', async () => {
      const nojs = await browser.newContext({ ...phone, javaScriptEnabled: false });
      const p = await nojs.newPage();
      await login(p, url, '13800138000');
      await p.goto(url + '/app/apply?relation=parent');
      await p.fill('#identity-name', '王芳');
      await p.selectOption('#region-province', '420000');
      await p.click('#region-list');
      assert.strictEqual(await p.inputValue('#region-province'), '420000');
      assert.strictEqual(await p.inputValue('#identity-name'), '王芳');
      await p.selectOption('#region-city', '420100');
      await p.click('#region-list');
      await p.selectOption('#region', '420106');
      await p.locator('#region-picker').scrollIntoViewIfNeeded();
      await shot(p, '32-region-picker-nojs');
      await p.click('#next');
      await p.waitForSelector('#form-error'); // the fields left empty, but not the region
      assert.strictEqual(await p.locator('#region-error').count(), 0);
      await nojs.close();
    });
    await officialsFlow({ browser, url, dataDir, bin, step, shot, phone, login, fillApplication, checkChar, serverLog: server.log });
    await euFlow({ browser, root, tmp, step, shot, phone, startServer });
    await browser.close();
    browser = null;

    await step('camera: a fresh code scanned from a fake video stream passes', async () => {
      const ctx0 = await chromium.launch({ executablePath, args: baseArgs });
      const c = await ctx0.newContext(phone);
      const p = await c.newPage();
      await login(p, url, '13800138000');
      await p.waitForSelector('#code');
      const fresh = (await p.textContent('#token')).trim();
      await ctx0.close();
      const video = path.join(tmp, 'qr.y4m');
      execFileSync(qrvideo, [fresh, video]);
      const cam = await chromium.launch({
        executablePath,
        args: [...baseArgs, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${video}`],
      });
      try {
        const cc = await cam.newContext(phone);
        await cc.grantPermissions(['camera'], { origin: url });
        await countFeedback(cc);
        // The viewfinder's states as they come, each with whether the video shows.
        await cc.addInitScript(() => {
          window.__states = [];
          document.addEventListener('DOMContentLoaded', () => {
            const f = document.getElementById('viewfinder');
            if (!f) return;
            new MutationObserver(() => {
              window.__states.push(f.dataset.state + (document.getElementById('video').hidden ? '' : '+video'));
            }).observe(f, { attributes: true, attributeFilter: ['data-state'] });
          });
        });
        const cp = await cc.newPage();
        const camErrors = [];
        cp.on('pageerror', (e) => camErrors.push(e.message));
        await cp.goto(url + '/checkpoint');
        assert.ok(await cp.isVisible('#camera-placeholder'));
        assert.ok(!(await cp.isVisible('#video')), 'the video shows before the camera plays');
        await cp.click('#camera');
        await cp.waitForSelector('#verdict', { timeout: 10000 });
        assert.strictEqual(await cp.getAttribute('#verdict', 'data-kind'), 'pass');
        assert.strictEqual((await cp.textContent('#verdict-name')).trim(), '张*三');
        const fb = await feedback(cp);
        assert.deepStrictEqual([fb.vibrate, fb.tones], [['120'], 1], 'a scanned pass beeps and vibrates');
        assert.deepStrictEqual(await cp.evaluate(() => window.__states), ['starting', 'playing+video'],
          'the video shows only once it plays');
        assert.deepStrictEqual(camErrors, []);
      } finally {
        await cam.close();
      }
    });
    await offlineFlow({ chromium, executablePath, args: baseArgs, phone, bin, step, shot, startServer, consoleFault });
    await step('the server log names nobody that was typed in', async () => {
      const log = server.log();
      assert.ok(log.includes('msg=request'), 'the server logged no requests');
      for (const secret of ['11010519491231002X', '110105194912310021', '13800138000', '13900000009', '张小三', '李秀英',
        '33010619500101002']) {
        assert.ok(!log.includes(secret), `the server log holds ${secret}`);
      }
    });
  } finally {
    if (browser) await browser.close();
    server.proc.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const where = shots.startsWith(root + path.sep) ? path.relative(root, shots) : shots;
  console.log(`${passed} browser steps passed; screenshots in ${where}/`);
}

// checkChar is the GB 11643 check character of a resident ID's first 17
// digits.
function checkChar(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i];
  return '10X98765432'[sum % 11];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
