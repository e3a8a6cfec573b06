// The checkpoint page with an EU Digital COVID Certificate: a second
// server, started with --dcc-trust built from one case of the public EU
// test data (DE/2DCode/raw/1.json: its TESTCTX.CERTIFICATE as the EU
// gateway's DSC list) and the dev-only --dcc-at at the case's
// VALIDATIONCLOCK, since every certificate of that data has expired. The
// HC1 text is pasted as a scanner types it; the page shows the
// certificate's type, dose and validity on a neutral screen, no colour,
// and neither the page nor the server's log shows the holder's name or
// date of birth.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const fixture = 'DE/2DCode/raw/1.json';

async function euFlow({ browser, root, tmp, step, shot, phone, startServer }) {
  const file = path.join(root, '..', 'shared', 'fixtures', 'dgc-testdata', fixture);
  if (!fs.existsSync(file)) {
    console.log(`skip EU certificate steps: no ${file}`);
    return;
  }
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  const der = Buffer.from(c.TESTCTX.CERTIFICATE, 'base64');
  const kid = crypto.createHash('sha256').update(der).digest().subarray(0, 8).toString('base64');
  const trust = path.join(tmp, 'eu-dsc.json');
  fs.writeFileSync(trust, JSON.stringify([{ kid, country: 'DE', rawData: c.TESTCTX.CERTIFICATE }]));
  const at = new Date(c.TESTCTX.VALIDATIONCLOCK).toISOString().replace(/\.\d+Z$/, 'Z');
  const server = await startServer(path.join(tmp, 'data-eu'), ['--dcc-trust', trust, '--dcc-at', at]);
  const context = await browser.newContext(phone);
  try {
    const page = await context.newPage();
    await step('checkpoint: a pasted EU vaccination certificate shows its type and validity, no colour', async () => {
      await page.goto(server.url + '/checkpoint');
      await page.fill('#token', c.PREFIX);
      await page.click('#verify');
      await page.waitForSelector('#verdict');
      assert.strictEqual(await page.getAttribute('#verdict', 'data-kind'), 'eu');
      const cls = await page.getAttribute('body', 'class');
      assert.ok(/verdict-eu/.test(cls) && !/color-|verdict-pass|verdict-refuse/.test(cls), `body class ${cls}`);
      assert.strictEqual((await page.textContent('#verdict-certificate')).trim(),
        '有效的欧盟疫苗接种证书，剂次 2/2，证书有效至 2022-01-28');
      const main = await page.textContent('main');
      assert.ok(main.includes('E**** M*********'), 'the masked name is shown');
      for (const secret of ['Erika', 'Mustermann', 'MUSTERMANN', '1964']) {
        assert.ok(!main.includes(secret), `the page shows ${secret}`);
      }
      await shot(page, '40-verdict-eu-certificate');
    });
    await step('checkpoint: the EU certificate in English, and a corrupted one is invalid with the reason', async () => {
      await page.goto(server.url + '/checkpoint?lang=en');
      await page.fill('#token', c.PREFIX);
      await page.click('#verify');
      await page.waitForSelector('#verdict');
      assert.match(await page.textContent('#verdict-certificate'), /^Valid EU vaccination certificate, dose 2\/2, until 2022-01-28$/);
      await page.click('#next-scan');
      await page.fill('#token', c.PREFIX.slice(0, -4) + (c.PREFIX.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
      await page.click('#verify');
      await page.waitForSelector('#verdict');
      assert.strictEqual(await page.getAttribute('#verdict', 'data-kind'), 'invalid');
      assert.match(await page.textContent('#verdict-reason'), /EU certificate/);
    });
    await step('the EU server\'s log names neither the holder nor the birth date', async () => {
      const log = server.log();
      assert.ok(log.includes('msg=request'), 'the server logged no requests');
      for (const secret of ['Erika', 'Mustermann', 'MUSTERMANN', '1964-08-12', c.PREFIX.slice(4, 40)]) {
        assert.ok(!log.includes(secret), `the server log holds ${secret}`);
      }
    });
  } finally {
    await context.close();
    server.proc.kill('SIGTERM');
  }
}

module.exports = { euFlow };
