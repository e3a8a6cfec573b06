// The checkpoint without a network (docs/federation.md, "Offline
// checkpoint"). Online it registers the service worker that keeps this
// page, keeps the keys every code is checked with in IndexedDB, refreshed
// whenever the network is there, and sends the temperatures queued while
// it was not. Offline it checks a code here as healthqr/doc.go specifies —
// Base45, the record, the key by issuer and key id within its validity,
// the Ed25519 signature (WebCrypto), then the times with the same 30 s
// skew and reason codes as the server — and says the colour is the one on
// the code, not the live one. scan.js calls window.hcOffline.verify when
// the server cannot be reached. Without JavaScript none of this runs and
// the page posts to the server as before.
(function () {
  'use strict';
  var box = document.getElementById('offline');
  var form = document.getElementById('verify-form');
  if (!box || !form || !window.indexedDB) return;
  box.hidden = false;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/static/checkpoint-sw.js', { scope: '/checkpoint' }).catch(function () {});
  }

  var words = function (name) { return box.getAttribute('data-' + name) || ''; };
  // fill puts args in the message's %s in order.
  var fill = function (text) {
    var args = Array.prototype.slice.call(arguments, 1);
    return text.replace(/%s/g, function () { return String(args.shift()); });
  };
  var two = function (n) { return (n < 10 ? '0' : '') + n; };
  var hhmm = function (d) { return two(d.getHours()) + ':' + two(d.getMinutes()); };

  // IndexedDB: "keys" holds {keys, fetched_at} under "current"; "queue"
  // the temperatures taken offline, oldest first by their key.
  var dbp = null;
  var db = function () {
    if (!dbp) {
      dbp = new Promise(function (resolve, reject) {
        var req = indexedDB.open('healthcode-checkpoint', 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore('keys');
          req.result.createObjectStore('queue', { keyPath: 'id', autoIncrement: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbp;
  };
  // store runs fn on the object store in one transaction and resolves to
  // the result of the request fn returns, once the transaction is done.
  var store = function (name, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(name, mode);
        var req = fn(t.objectStore(name));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  };

  // Keys: the trust list's keys (every key this server accepts) when the
  // server has one, else its own; the last good copy is kept.
  var keysShown = document.getElementById('offline-keys');
  var showKeys = function (rec) {
    keysShown.textContent = rec ? fill(words('keys'), hhmm(new Date(rec.fetched_at))) : words('nokeys');
    keysShown.setAttribute('data-fetched', rec ? new Date(rec.fetched_at).toISOString() : '');
    return rec;
  };
  var storedKeys = function () { return store('keys', 'readonly', function (s) { return s.get('current'); }); };
  var getJSON = function (path) {
    return fetch(path, { credentials: 'omit', cache: 'no-store' }).then(function (r) {
      if (r.status !== 200) throw new Error(path + ': ' + r.status);
      return r.json();
    });
  };
  var refreshKeys = function () {
    if (!navigator.onLine) return storedKeys().then(showKeys);
    return getJSON('/api/v1/trust/keys').catch(function () { return getJSON('/api/v1/keys'); })
      .then(function (j) {
        var keys = Array.isArray(j) ? j : j && j.keys;
        if (!Array.isArray(keys)) throw new Error('no keys');
        var rec = { keys: keys, fetched_at: Date.now() };
        return store('keys', 'readwrite', function (s) { return s.put(rec, 'current'); }).then(function () { return rec; });
      })
      .catch(function () { return storedKeys(); })
      .then(showKeys);
  };

  // Base45 (RFC 9285) as healthqr decodes it: characters outside the
  // alphabet, a length of 1 modulo 3 and groups too large are refused.
  var B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  var base45 = function (s) {
    if (s.length % 3 === 1) return null;
    var out = [];
    for (var i = 0; i < s.length; i += 3) {
      var c = B45.indexOf(s.charAt(i));
      var d = B45.indexOf(s.charAt(i + 1));
      if (c < 0 || d < 0) return null;
      if (i + 2 < s.length) {
        var e = B45.indexOf(s.charAt(i + 2));
        var n = c + d * 45 + e * 2025;
        if (e < 0 || n > 65535) return null;
        out.push(n >> 8, n & 255);
      } else {
        var m = c + d * 45;
        if (m > 255) return null;
        out.push(m);
      }
    }
    return new Uint8Array(out);
  };
  var u32 = function (b, off) { return ((b[off] << 24) >>> 0) + (b[off + 1] << 16) + (b[off + 2] << 8) + b[off + 3]; };
  var hex = function (b) { return Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join(''); };
  var unbase64 = function (s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };
  var colors = { 1: 'green', 2: 'yellow', 3: 'red' };
  var PREFIX = 'HCN1:';
  var skew = 30; // seconds, as healthqr's maxClockSkew

  // check verifies token against keys at the browser's clock: it resolves
  // to {reason} for an invalid code, or to {color, issuer, expires}.
  var check = function (token, keys) {
    var bad = function (reason) { return Promise.resolve({ reason: reason }); };
    if (token.length !== 145 || token.slice(0, 5) !== PREFIX) return bad('malformed');
    var b = base45(token.slice(5));
    if (!b || b.length !== 93 || b[0] !== 1 || !colors[b[16]]) return bad('malformed');
    var iat = u32(b, 17);
    var exp = u32(b, 21);
    if (exp <= iat) return bad('malformed');
    var issuer = String((b[1] << 16) + (b[2] << 8) + b[3]);
    while (issuer.length < 6) issuer = '0' + issuer;
    var kid = hex(b.subarray(25, 29));
    var key = null;
    for (var i = 0; i < keys.length; i++) {
      if (keys[i].issuer === issuer && keys[i].kid === kid && keys[i].alg === 'Ed25519') { key = keys[i]; break; }
    }
    if (!key) return bad('unknown_issuer');
    var from = Date.parse(key.valid_from) / 1000;
    var to = Date.parse(key.valid_to) / 1000;
    if (!(from <= iat && iat < to)) return bad('unknown_issuer');
    var signed = new Uint8Array(5 + 29);
    for (var j = 0; j < 5; j++) signed[j] = PREFIX.charCodeAt(j);
    signed.set(b.subarray(0, 29), 5);
    return crypto.subtle.importKey('raw', unbase64(key.key), { name: 'Ed25519' }, false, ['verify'])
      .then(function (pub) { return crypto.subtle.verify('Ed25519', pub, b.subarray(29, 93), signed); })
      .then(function (ok) {
        if (!ok) return { reason: 'bad_signature' };
        var now = Math.floor(Date.now() / 1000);
        if (iat > now + skew) return { reason: 'not_yet_valid' };
        if (now >= exp) return { reason: 'expired' };
        return { color: colors[b[16]], issuer: issuer, expires: new Date(exp * 1000) };
      }, function () { return { reason: 'unsupported' }; });
  };

  // The queue of temperatures taken offline.
  var queueShown = document.getElementById('offline-queue');
  var sentShown = document.getElementById('offline-sent');
  var sent = { n: 0, refused: 0, at: null, login: false };
  var showQueue = function () {
    return store('queue', 'readonly', function (s) { return s.count(); }).then(function (n) {
      queueShown.setAttribute('data-count', String(n));
      queueShown.textContent = n ? fill(words('queued'), n) + (sent.login ? ' ' + words('login') : '') : '';
      queueShown.hidden = !n;
      var parts = [];
      if (sent.n) parts.push(fill(words('sent'), sent.n, hhmm(sent.at)));
      if (sent.refused) parts.push(fill(words('refused'), sent.refused));
      sentShown.textContent = parts.join(' ');
      sentShown.setAttribute('data-sent', String(sent.n));
      sentShown.hidden = !parts.length;
    });
  };
  var oldest = function () {
    return store('queue', 'readonly', function (s) { return s.openCursor(); }).then(function (c) { return c ? c.value : null; });
  };
  // flush sends the queue oldest first, each to the form's own address
  // with the time it was taken; an item goes only once the server has
  // answered it with a verdict (recorded) or refused it as bad input
  // (400, 422: never recordable). A lost login (403), a limit or a fault
  // keeps it for the next try.
  var flushing = false;
  var flush = function () {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var csrf = form.querySelector('input[name=csrf]');
    var next = function () {
      return oldest().then(function (item) {
        if (!item) return null;
        var body = new URLSearchParams({ csrf: csrf ? csrf.value : '', token: item.token,
          temperature: item.temperature, scanned_at: item.scanned_at });
        return fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin' }).then(function (r) {
          sent.login = r.status === 403;
          if (r.status !== 200 && r.status !== 400 && r.status !== 422) return null;
          return r.text().then(function (html) {
            var v = new DOMParser().parseFromString(html, 'text/html').getElementById('verdict');
            if (r.status === 200 && !v) return null;
            return store('queue', 'readwrite', function (s) { return s.delete(item.id); }).then(function () {
              if (v && v.getAttribute('data-kind') !== 'invalid') sent.n++; else sent.refused++;
              sent.at = new Date();
              return showQueue().then(next);
            });
          });
        });
      });
    };
    return next().catch(function () {}).then(function () { flushing = false; return showQueue(); });
  };

  var online = function () { return refreshKeys().then(flush); };
  window.addEventListener('online', online);
  setInterval(function () { if (navigator.onLine) refreshKeys(); }, 10 * 60 * 1000);
  showQueue().then(online).catch(function () {});

  // verify checks the form's code here and shows the verdict in the page
  // as the server's would look, resolving to its kind.
  var verify = function () {
    var token = document.getElementById('token').value.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
    var field = document.getElementById('temperature');
    var t = field && box.getAttribute('data-staff') === 'checkpoint' ? field.value.trim() : '';
    var celsius = t === '' ? null : Number(t);
    var at = new Date();
    return storedKeys().then(function (rec) {
      if (!rec) return { reason: 'nokeys' };
      return check(token, rec.keys);
    }).then(function (res) {
      var kind = 'pass';
      var why = '';
      var queue = false;
      var community = form.querySelector('input[name=mode]');
      var passChecked = document.getElementById('pass_checked');
      if (res.reason) {
        kind = 'invalid';
        why = words('reason-' + res.reason) || words(res.reason);
      } else if (celsius !== null && !(celsius >= 34 && celsius <= 43)) {
        kind = 'invalid';
        why = words('bad-temperature');
      } else {
        queue = celsius !== null;
        if (queue && celsius >= 37.3) { kind = 'refuse'; why = words('verdict-fever'); }
        else if (res.color !== 'green') { kind = 'refuse'; why = words('verdict-color'); }
        else if (community && !(passChecked && passChecked.checked)) { kind = 'refuse'; why = words('verdict-no_pass'); }
      }
      var saved = queue ? store('queue', 'readwrite', function (s) {
        return s.add({ token: token, temperature: celsius.toFixed(1), scanned_at: at.toISOString() });
      }) : Promise.resolve();
      return saved.then(function () { show(kind, res, why, queue ? celsius : null, at); return kind; });
    });
  };

  // show puts the verdict in the page; the template's parts that do not
  // apply are removed (the stylesheet may display a hidden element).
  var show = function (kind, res, why, celsius, at) {
    var view = document.getElementById('offline-verdict').content.cloneNode(true);
    var word = words('verdict-' + kind);
    var part = function (id, text) {
      var el = view.getElementById(id);
      if (text) el.textContent = text; else el.remove();
    };
    view.getElementById('verdict').setAttribute('data-kind', kind);
    part('verdict-word', word);
    part('verdict-color', res.color ? words('color-' + res.color) : '');
    part('offline-notice', fill(words('notice'), hhmm(at)));
    part('verdict-reason', why);
    part('verdict-temperature', celsius === null ? '' : celsius.toFixed(1) + ' °C' + (celsius >= 37.3 ? words('fever-mark') : ''));
    if (celsius === null) {
      view.getElementById('offline-temperature').remove();
      view.getElementById('offline-queued-note').remove();
    }
    document.body.className = 'verdict-page verdict-' + kind + (res.color ? ' color-' + res.color : '');
    document.title = word;
    var main = document.getElementById('main');
    Array.prototype.slice.call(main.children).forEach(function (el) { if (el.tagName !== 'H1') el.remove(); });
    var h1 = main.querySelector('h1');
    if (h1) h1.textContent = word;
    main.appendChild(view);
    window.scrollTo(0, 0);
    document.getElementById('next-scan').focus({ preventScroll: true });
  };

  window.hcOffline = { verify: verify };
}());
