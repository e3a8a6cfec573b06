// The officials' flow in Chromium, run by run.js against its server:
// officials are appointed with the command line on the server's data
// directory, log in with password and a TOTP code computed here (RFC 6238
// with node's HMAC-SHA1, no dependency), and decide an appeal a citizen
// filed with a PNG, under four eyes; a home release goes community →
// street → district → a second district officer; the proposer's own
// approval is refused on the page.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

// base32 decodes an RFC 4648 secret, as authenticator apps read it.
function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

// totp is the 6-digit code of secret for the 30-second step at ms (RFC
// 6238 over RFC 4226's dynamic truncation).
function totp(secret, ms = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

// appoint opens an official's account with `healthcode officials create`
// and returns its login, password and TOTP secret.
function appoint(bin, dataDir, login, role, scope) {
  const out = execFileSync(bin, ['officials', 'create', '--login', login, '--role', role, '--scope', scope, '--data', dataDir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const password = out.match(/^password:\s+(\S+)$/m);
  const secret = out.match(/^totp secret:\s+(\S+)$/m);
  assert.ok(password && secret, `no password or secret printed: ${out}`);
  return { login, password: password[1], secret: secret[1] };
}

// signIn logs an official in through the login page in a new context.
async function signIn(browser, ctxOpts, url, o) {
  const ctx = await browser.newContext(ctxOpts);
  const page = await ctx.newPage();
  await page.goto(url + '/officials/login');
  await page.fill('#login', o.login);
  await page.fill('#password', o.password);
  await page.fill('#code', totp(o.secret));
  await page.click('#official-login');
  await page.waitForURL(/\/officials$/);
  return { ctx, page };
}

// takeStep submits the step form of action on the workflow page open.
async function takeStep(page, action, fill = {}) {
  if (fill.colour) await page.selectOption(`#colour-${action}`, fill.colour);
  if (fill.note) await page.fill(`#note-${action}`, fill.note);
  await page.click(`#do-${action}`);
  await page.waitForSelector('.notice');
}

async function officialsFlow({ browser, url, dataDir, bin, step, shot, phone, login, fillApplication, checkChar, serverLog }) {
  const desk = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
  const people = {};
  const pass = {};
  await step('officials: accounts made with the command line on the server\'s data directory', async () => {
    people.community = appoint(bin, dataDir, 'community.xh', 'community', '330106');
    people.street = appoint(bin, dataDir, 'street.xh', 'street', '330106');
    people.district = appoint(bin, dataDir, 'district.xh', 'district', '330106');
    people.second = appoint(bin, dataDir, 'district.hz', 'district', '330100');
  });

  const citizen = await browser.newContext(phone);
  const cp = await citizen.newPage();
  let codeURL;
  await step('a citizen files an appeal with a PNG; it cannot be changed, and the code page shows it filed', async () => {
    await login(cp, url, '13800138111');
    await cp.waitForURL(/\/app\/apply$/);
    await fillApplication(cp, { number: '33010619900101011' + checkChar('33010619900101011'), name: '王小明', phone: '13800138111' });
    await cp.check('#declaration-cough-yes');
    await cp.click('#next');
    await cp.click('#submit');
    await cp.waitForSelector('#code');
    assert.match(await cp.textContent('#color-word'), /黄码/);
    codeURL = cp.url();
    await cp.click('#act-appeal');
    assert.match(await cp.textContent('#final'), /不能修改或撤回/);
    await cp.fill('#reason', '短');
    const png = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-png-')), '回执.png');
    fs.writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a8a20000000049454e44ae426082', 'hex'));
    await cp.setInputFiles('#attachment', png);
    await cp.click('#filing-submit');
    assert.match(await cp.textContent('#reason-error'), /10 至 1000/);
    await shot(cp, '41-appeal-errors');
    await cp.fill('#reason', '我一直居家，没有咳嗽，是误填了申报，请复核。');
    await cp.setInputFiles('#attachment', png);
    await cp.click('#filing-submit');
    await cp.waitForSelector('#appeals');
    assert.match(await cp.textContent('#appeals'), /已提交，等待区县答复/);
    assert.match(await cp.textContent('#appeals'), /答复期限/);
  });

  let district;
  let appealURL;
  await step('a district officer logs in with a TOTP code, sees the appeal in the queue and upholds it proposing green', async () => {
    district = await signIn(browser, desk, url, people.district);
    const p = district.page;
    const row = p.locator('tr[data-kind="appeal"]');
    assert.strictEqual(await row.count(), 1);
    assert.match(await row.textContent(), /王\*明/);
    assert.ok(!(await p.content()).includes('王小明'), 'the queue shows a name in clear');
    await shot(p, '42-official-queue');
    await row.locator('a').first().click();
    appealURL = p.url();
    assert.match(await p.textContent('#workflow-form'), /误填了申报/);
    assert.match(await p.getAttribute('#attachment', 'href'), /\/attachment$/);
    await takeStep(p, 'uphold', { colour: 'green', note: '核实为误填' });
    assert.match(await p.textContent('#workflow-state'), /待复审/);
    assert.ok(await p.isVisible('#second-eyes'), 'the proposer is not told a second officer must approve');
    await shot(p, '43-official-workflow');
  });

  await step('the proposer\'s own approval is refused on the page', async () => {
    const p = district.page;
    // The page offers no approval to the proposer; a form posted by hand
    // with the page's own token gets the service's refusal.
    await p.evaluate(() => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = location.pathname + '/steps';
      for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value],
        ['seq', String(Number(document.getElementById('workflow').dataset.seq) + 1)], ['action', 'approve']]) {
        const i = document.createElement('input');
        i.type = 'hidden';
        i.name = k;
        i.value = v;
        f.appendChild(i);
      }
      document.body.appendChild(f);
      f.submit();
    });
    await p.waitForSelector('#form-error');
    assert.match(await p.textContent('#form-error'), /上一步是您本人办理的/);
  });

  let second;
  await step('a second district officer approves; the citizen\'s code turns green with the answer', async () => {
    second = await signIn(browser, phone, url, people.second);
    await second.page.goto(appealURL);
    await takeStep(second.page, 'approve');
    assert.match(await second.page.textContent('#workflow-state'), /已转码/);
    await shot(second.page, '44-official-approved');
    await cp.goto(codeURL);
    assert.match(await cp.textContent('#color-word'), /绿码/);
    assert.match(await cp.textContent('#appeals'), /复核支持：已转为绿码/);
    await shot(cp, '45-appeal-upheld');
  });

  await step('a home release: community files it, street passes, district proposes, a second officer approves', async () => {
    const community = await signIn(browser, phone, url, people.community);
    const p = community.page;
    await p.click('.persons-list li:first-child a'); // the first to apply, whose code the main flow showed
    assert.match(await p.textContent('#file-name'), /\*/);
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    await p.fill('#release-isolation_start', today);
    await p.fill('#release-isolation_end', today);
    await p.click('#release-submit');
    await p.waitForURL(/\/officials\/w\/\d+\?done=start$/);
    const release = p.url().replace(/\?.*$/, '');
    await shot(p, '46-official-release-filed');
    await community.ctx.close();
    const street = await signIn(browser, phone, url, people.street);
    await street.page.goto(release);
    await takeStep(street.page, 'pass');
    await street.ctx.close();
    await district.page.goto(release);
    await takeStep(district.page, 'propose', { note: '居家隔离期满' });
    assert.ok(await district.page.isVisible('#second-eyes'));
    await second.page.goto(release);
    await takeStep(second.page, 'approve');
    assert.match(await second.page.textContent('#workflow-state'), /已转码/);
    await second.ctx.close();
  });

  await step('paper pass: a Lishui community worker checks the ID card and temperature and prints an A6 pass without its number', async () => {
    people.lishui = appoint(bin, dataDir, 'community.ld', 'community', '331102');
    const elder = await browser.newContext(phone);
    const ep = await elder.newPage();
    await login(ep, url, '13800138222'); // the daughter who applies for her
    await ep.waitForURL(/\/app\/apply$/);
    pass.number = '33110219400101021' + checkChar('33110219400101021');
    await fillApplication(ep, { number: pass.number, name: '李秀兰', phone: '13800138222', region: ['330000', '331100', '331102'] });
    await ep.click('#next');
    await ep.click('#submit');
    await ep.waitForSelector('#code');
    await elder.close();

    pass.worker = await signIn(browser, desk, url, people.lishui);
    const p = pass.worker.page;
    await p.click('.persons-list li:first-child a');
    pass.file = p.url();
    await p.fill('#pass-id_number', '33110219400101022' + checkChar('33110219400101022'));
    await p.fill('#pass-temperature', '36.5');
    await p.click('#pass-submit');
    assert.match(await p.textContent('#pass-id_number-error'), /不符/);
    assert.strictEqual(await p.inputValue('#pass-id_number'), '', 'the number typed is put back into the page');
    await p.fill('#pass-id_number', pass.number);
    await p.click('#pass-submit');
    await p.waitForURL(/\/officials\/passes\/[0-9a-f]{24}\?done=pass$/);
    assert.match(await p.textContent('#pass-name'), /^\*秀兰$|^李\*兰$/);
    assert.match(await p.textContent('#pass-community'), /莲都区/);
    assert.match(await p.textContent('#pass-instruction-en'), /checkpoints/);
    const html = await p.content();
    for (const secret of [pass.number, '李秀兰']) assert.ok(!html.includes(secret), `the printed pass shows ${secret}`);
    pass.token = await p.getAttribute('#pass-qr', 'data-token');
    assert.match(pass.token, /^HCN1:/);
    await p.emulateMedia({ media: 'print' });
    await shot(p, '47-paper-pass');
    const pdf = (await p.pdf({ preferCSSPageSize: true })).toString('latin1');
    const boxes = pdf.match(/\/MediaBox\s*\[\s*0 0 [\d.]+ [\d.]+\s*\]/g) || [];
    assert.strictEqual(boxes.length, 1, `the pass prints on ${boxes.length} pages`);
    const [, w, h] = boxes[0].match(/0 0 ([\d.]+) ([\d.]+)/);
    // A6 is 105 × 148 mm: 297.6 × 419.5 points.
    assert.ok(Math.abs(Number(w) - 297.6) < 2 && Math.abs(Number(h) - 419.5) < 2, `printed on ${w} × ${h} pt, not A6`);
    await p.emulateMedia({ media: 'screen' });
  });

  await step('paper pass: the checkpoint verifies it as a pass, looks the holder up by ID number, and refuses it once revoked', async () => {
    const gate = await browser.newContext(phone);
    const g = await gate.newPage();
    await g.goto(url + '/checkpoint');
    const key = execFileSync(bin, ['keys', 'create-checkpoint', '--name', '莲都1号卡口', '--data', dataDir],
      { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    await g.fill('#key', key);
    await g.click('#staff-login');
    await g.waitForSelector('#lookup-form');
    await g.fill('#token', pass.token);
    await g.click('#verify');
    await g.waitForSelector('#verdict');
    assert.strictEqual(await g.getAttribute('#verdict', 'data-kind'), 'pass');
    assert.match(await g.textContent('#verdict-kind'), /纸质通行证/);
    assert.match(await g.textContent('#verdict-until'), /\d{4}-\d\d-\d\d \d\d:\d\d/);
    await shot(g, '48-paper-pass-verified');
    await g.click('#next-scan');
    await g.fill('#number', pass.number);
    await g.fill('#lookup_temperature', '36.4');
    await g.click('#lookup');
    await g.waitForSelector('#verdict');
    assert.strictEqual(await g.getAttribute('#verdict', 'data-kind'), 'pass');
    assert.match(await g.textContent('#verdict-kind'), /证件号码查询/);
    assert.ok(!(await g.content()).includes(pass.number), 'the verdict shows the number looked up');
    await g.click('#next-scan');
    await g.fill('#number', '11010519491231003' + checkChar('11010519491231003'));
    await g.click('#lookup');
    await g.waitForSelector('#verdict');
    assert.match(await g.textContent('#verdict-reason'), /查无此人/);

    const p = pass.worker.page;
    await p.goto(pass.file);
    await p.click('#passes button');
    await p.waitForSelector('.notice');
    assert.match(await p.textContent('#passes'), /已撤销/);
    await g.goto(url + '/checkpoint');
    await g.fill('#token', pass.token);
    await g.click('#verify');
    await g.waitForSelector('#verdict');
    assert.strictEqual(await g.getAttribute('#verdict', 'data-kind'), 'invalid');
    assert.match(await g.textContent('#verdict-reason'), /已被撤销/);
    await gate.close();
    await pass.worker.ctx.close();
  });

  await step('officials log out with a form', async () => {
    await district.page.goto(url + '/officials');
    await district.page.click('#official-logout');
    await district.page.waitForURL(/\/officials\/login\?done=logout$/);
    await district.page.goto(url + '/officials');
    await district.page.waitForURL(/\/officials\/login\?next=/);
    await district.ctx.close();
    await citizen.close();
  });

  await step('the server log holds no official\'s password or secret, nor the appellant\'s identity', async () => {
    const log = serverLog();
    for (const o of Object.values(people)) {
      assert.ok(!log.includes(o.password) && !log.includes(o.secret), `the server log holds ${o.login}'s password or secret`);
    }
    for (const secret of ['王小明', '13800138111', '3301061990010101', '李秀兰', '3311021940010102']) assert.ok(!log.includes(secret), `the server log holds ${secret}`);
  });
}

module.exports = { officialsFlow, totp };
