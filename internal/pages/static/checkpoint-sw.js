// The checkpoint's service worker (docs/federation.md, "Offline
// checkpoint"). It keeps the scanner page and its assets, so the page
// opens with the network cut; the keys live in IndexedDB (offline.js).
// Everything is fetched from the network first and the copy kept, so an
// online page is always the server's own; the copy answers only when the
// network does not. Served with Service-Worker-Allowed: /checkpoint and
// registered for that scope: it sees no other page.
'use strict';
var CACHE = 'checkpoint-1';
var SHELL = ['/checkpoint', '/checkpoint?mode=community', '/static/app.css', '/static/jsQR.js',
  '/static/offline.js', '/static/scan.js'];

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') return; // a verdict is the server's to give
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  var key = url.pathname + url.search;
  if (SHELL.indexOf(key) < 0) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { return c.put(key, copy); });
    }
    return res;
  }).catch(function (err) {
    return caches.match(key, { ignoreVary: true }).then(function (kept) {
      if (kept) return kept;
      throw err;
    });
  }));
});
