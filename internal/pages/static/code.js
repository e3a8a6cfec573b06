// The code page's enhancements: a ticking clock, and a fresh token before
// the shown one expires. Without JavaScript the page still shows the code
// and a refresh button.
(function () {
  'use strict';
  var card = document.getElementById('code');
  var clock = document.getElementById('clock');
  if (!card || !clock) return;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  // China time, whatever the phone's own zone.
  var china = function (d) {
    var t = new Date(d.getTime() + 8 * 3600 * 1000);
    return t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate()) + ' ' +
      pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes()) + ':' + pad(t.getUTCSeconds());
  };
  var tick = function () { clock.textContent = china(new Date()); clock.setAttribute('datetime', new Date().toISOString()); };
  tick();
  setInterval(tick, 1000);

  var person = card.getAttribute('data-person');
  var refresh = function () {
    fetch('/app/p/' + person + '/code.json', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        // A session that ended is redirected to the login page: go there.
        if (r.redirected) { window.location.href = r.url; throw new Error('logged out'); }
        if (!r.ok) throw new Error('status ' + r.status);
        return r.json();
      })
      .then(function (c) {
        document.getElementById('qr').innerHTML = c.qr_svg;
        document.getElementById('token').textContent = c.token;
        card.setAttribute('data-expires', String(c.expires_at));
        document.getElementById('expires').textContent = china(new Date(c.expires_at * 1000)).slice(11);
        schedule(c.lifetime);
      })
      .catch(function (e) { if (e.message !== 'logged out') setTimeout(refresh, 5000); });
  };
  // Renew 10 seconds before the code expires, timed from when it arrived by
  // the server's lifetime, not the phone's clock, which may be off.
  var schedule = function (lifetime) { setTimeout(refresh, Math.max(5000, lifetime * 1000 - 10000)); };
  schedule(parseInt(card.getAttribute('data-lifetime'), 10) || 60);
}());
