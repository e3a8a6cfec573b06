// The region picker's enhancement: choosing a province or a city fills the
// select below it in place, from GET /regions/{code}. Without JavaScript
// the picker's "list" button sends the form back to be drawn with those
// lists; with it the button goes, so Enter in a field submits the form.
(function () {
  'use strict';
  var picker = document.getElementById('region-picker');
  if (!picker || !window.fetch) return;
  var province = document.getElementById('region-province');
  var city = document.getElementById('region-city');
  var county = document.getElementById('region');
  var list = document.getElementById('region-list');
  var choose = picker.getAttribute('data-choose');

  // fill replaces a select's choices; one choice (a city without counties)
  // is chosen at once, as the server draws it.
  var fill = function (select, choices) {
    select.textContent = '';
    select.appendChild(new Option(choose, ''));
    choices.forEach(function (c) {
      var o = new Option(c.name, c.code);
      if (c.lang) o.lang = c.lang;
      select.appendChild(o);
    });
    if (choices.length === 1) select.value = choices[0].code;
  };
  var load = function (code, select, next) {
    fill(select, []);
    if (next) fill(next, []);
    if (!code) return;
    fetch('/regions/' + encodeURIComponent(code), { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('status ' + r.status);
        return r.json();
      })
      .then(function (choices) {
        fill(select, choices);
        if (next && select.value) load(select.value, next, null);
      })
      .catch(function () {
        // The lists stay empty: put the button back, the server can draw them.
        if (list && !list.parentNode) picker.appendChild(list);
      });
  };
  province.addEventListener('change', function () { load(province.value, city, county); });
  city.addEventListener('change', function () { load(city.value, county, null); });
  if (list) list.remove();
}());
