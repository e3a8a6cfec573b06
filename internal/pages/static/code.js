// The code pages' enhancements: ticking clocks, and for every code shown
// (one on the code page, one a person on the family page) a fresh token
// before the shown one expires; a colour that changed reloads the page,
// whose reasons changed with it. Without JavaScript the pages still show
// the codes and a refresh button.
(function () {
  'use strict';
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  // China time, whatever the phone's own zone.
  var china = function (d) {
    var t = new Date(d.getTime() + 8 * 3600 * 1000);
    return t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate()) + ' ' +
      pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes()) + ':' + pad(t.getUTCSeconds());
  };
  var clocks = document.querySelectorAll('time.tick');
  var tick = function () {
    var now = new Date();
    for (var i = 0; i < clocks.length; i++) {
      clocks[i].textContent = china(now);
      clocks[i].setAttribute('datetime', now.toISOString());
    }
  };
  if (clocks.length) { tick(); setInterval(tick, 1000); }

  var keepFresh = function (card) {
    var person = card.getAttribute('data-person');
    var show = function (c) {
      if (c.color !== card.getAttribute('data-color')) { window.location.reload(); return; }
      card.querySelector('.qr').innerHTML = c.qr_svg;
      var token = document.getElementById('token');
      if (token && card.id === 'code') token.textContent = c.token;
      var expires = card.querySelector('#expires');
      if (expires) expires.textContent = china(new Date(c.expires_at * 1000)).slice(11);
      card.setAttribute('data-expires', String(c.expires_at));
      schedule(c.lifetime);
    };
    var refresh = function () {
      fetch('/app/p/' + person + '/code.json', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          // A session that ended is redirected to the login page: go there.
          if (r.redirected) { window.location.href = r.url; throw new Error('logged out'); }
          if (!r.ok) throw new Error('status ' + r.status);
          return r.json();
        })
        .then(show)
        .catch(function (e) { if (e.message !== 'logged out') setTimeout(refresh, 5000); });
    };
    // Renew 10 seconds before the code expires, timed from when it arrived
    // by the server's lifetime, not the phone's clock, which may be off.
    var schedule = function (lifetime) { setTimeout(refresh, Math.max(5000, lifetime * 1000 - 10000)); };
    schedule(parseInt(card.getAttribute('data-lifetime'), 10) || 60);
  };
  var cards = document.querySelectorAll('[data-person][data-lifetime]');
  for (var i = 0; i < cards.length; i++) keepFresh(cards[i]);
}());
