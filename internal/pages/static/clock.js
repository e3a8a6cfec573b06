// Live clocks: every <time data-tick> shows China time and moves each
// second, so a screenshot of the page is told from the page itself.
(function () {
  'use strict';
  var clocks = document.querySelectorAll('time[data-tick]');
  if (!clocks.length) return;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  // China time (UTC+8, no daylight saving), whatever the phone's zone.
  var china = function (d) {
    var t = new Date(d.getTime() + 8 * 3600 * 1000);
    return t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate()) + ' ' +
      pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes()) + ':' + pad(t.getUTCSeconds());
  };
  var tick = function () {
    var now = new Date();
    for (var i = 0; i < clocks.length; i++) {
      clocks[i].textContent = china(now);
      clocks[i].setAttribute('datetime', now.toISOString());
    }
  };
  tick();
  setInterval(tick, 1000);
}());
