// Copies jsQR's browser build into the pages' embedded assets, with a
// header naming its version and licence (the dist file has none of its
// own), and its licence beside it. Run after `npm ci`: npm run vendor.
'use strict';
const fs = require('fs');
const path = require('path');

const pkg = require('jsqr/package.json');
const src = require.resolve('jsqr/dist/jsQR.js');
const out = path.join(__dirname, '..', '..', 'internal', 'pages', 'static');
const header = `/*! jsQR ${pkg.version} | ${pkg.repository}
 * By Cosmo Wolfe and contributors; Apache License 2.0 (see jsQR.LICENSE)
 * Vendored by tests/browser/vendor.js from node_modules/jsqr/dist/jsQR.js; do not edit.
 */
`;
fs.writeFileSync(path.join(out, 'jsQR.js'), header + fs.readFileSync(src, 'utf8'));
fs.copyFileSync(path.join(path.dirname(require.resolve('jsqr/package.json')), 'LICENSE'), path.join(out, 'jsQR.LICENSE'));
console.log(`vendored jsQR ${pkg.version} into ${path.relative(process.cwd(), out)}`);
