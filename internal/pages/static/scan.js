// The checkpoint's camera scanner: BarcodeDetector where the browser has
// it, jsQR otherwise. A decoded code fills the form and sends it, so the
// verdict is the same page the manual entry gives. Without a network the
// code is checked in the page instead (offline.js).
//
// The form is sent from this page and the verdict put in its place, rather
// than the browser navigating to it: a phone lets a page beep and vibrate
// only after someone tapped it, and this page was tapped (the camera or
// the verify button) while the verdict's page would be new. Without
// JavaScript the form posts as usual and the verdict comes silently.
(function () {
  'use strict';
  var section = document.getElementById('scanner');
  var form = document.getElementById('verify-form');
  if (!section || !form) return;

  // The verdict's sound and buzz: one short high tone for pass, two low
  // ones for refuse or invalid, so staff hear it without looking; a valid
  // EU certificate, neither passed nor refused, one middle tone to read.
  var audio = null;
  var unlock = function () {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      if (!audio) audio = new AC();
      if (audio.state === 'suspended') audio.resume();
    } catch (e) { audio = null; }
  };
  var beep = function (pass, eu) {
    if (!audio) return;
    var tones = eu ? [[880, 0, 0.3]] : pass ? [[1320, 0, 0.15]] : [[440, 0, 0.22], [330, 0.3, 0.35]];
    var t0 = audio.currentTime;
    tones.forEach(function (t) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = pass ? 'sine' : 'square';
      osc.frequency.value = t[0];
      gain.gain.setValueAtTime(0.3, t0 + t[1]);
      gain.gain.exponentialRampToValueAtTime(0.001, t0 + t[1] + t[2]);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t0 + t[1]);
      osc.stop(t0 + t[1] + t[2]);
    });
  };
  var feedback = function (kind) {
    var pass = kind === 'pass';
    var eu = kind === 'eu';
    try { beep(pass, eu); } catch (e) { /* no sound is no reason to hide the verdict */ }
    if (navigator.vibrate) navigator.vibrate(eu ? [120, 80, 120] : pass ? 120 : [300, 100, 300]);
  };

  // send posts the form and shows the answer. An answer that is no
  // verdict (a field to correct) is posted again the plain way, for its
  // page to come with its scripts; the form had no effect.
  var sending = false;
  // offline checks the code in the page (offline.js) when no server
  // answers: the verdict is then the one on the code, and says so.
  var offline = function () {
    if (!window.hcOffline) { form.submit(); return; }
    window.hcOffline.verify().then(feedback, function () { form.submit(); });
  };
  var send = function () {
    if (sending) return;
    sending = true;
    if (window.hcOffline && navigator.onLine === false) { offline(); return; }
    fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var verdict = doc.getElementById('verdict');
        if (!verdict) { form.submit(); return; }
        feedback(verdict.getAttribute('data-kind'));
        // The head is the same on both pages: only the body and title change.
        document.title = doc.title;
        document.body.replaceWith(document.adoptNode(doc.body));
        // The verdict's word is at the top; the next scan is one key away.
        window.scrollTo(0, 0);
        var next = document.getElementById('next-scan');
        if (next) next.focus({ preventScroll: true });
      })
      .catch(offline);
  };
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    unlock();
    send();
  });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  section.hidden = false;
  var finder = document.getElementById('viewfinder');
  var video = document.getElementById('video');
  var status = document.getElementById('camera-status');
  var button = document.getElementById('camera');
  var canvas = document.createElement('canvas');
  var g = canvas.getContext('2d', { willReadFrequently: true });
  var detector = null;
  if ('BarcodeDetector' in window) {
    try { detector = new window.BarcodeDetector({ formats: ['qr_code'] }); } catch (e) { detector = null; }
  }
  var stream = null;
  var done = false;
  var run = 0; // the camera start in progress: stopping one cancels it
  var say = function (name) { status.textContent = section.getAttribute('data-' + name) || ''; };
  // The viewfinder shows its instruction until the video really plays:
  // never a black box.
  var state = function (s) {
    finder.setAttribute('data-state', s);
    video.hidden = s !== 'playing';
    document.getElementById('camera-placeholder').hidden = s === 'playing';
    button.textContent = section.getAttribute(s === 'idle' || s === 'failed' ? 'data-start' : 'data-stop');
  };
  var stop = function () {
    run++;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.srcObject = null;
  };

  var found = function (text) {
    if (done || !text) return;
    done = true;
    document.getElementById('token').value = text;
    stop();
    send();
  };
  var withJsQR = function () {
    if (!window.jsQR || !video.videoWidth) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    g.drawImage(video, 0, 0);
    var img = g.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
    if (code) found(code.data);
  };
  var loop = function () {
    if (done || !stream) return;
    if (detector && video.videoWidth) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue); else withJsQR();
      }).catch(withJsQR).then(function () { setTimeout(loop, 100); });
      return;
    }
    withJsQR();
    setTimeout(loop, 100);
  };
  var start = function () {
    var mine = ++run;
    state('starting');
    say('starting');
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (s) {
        if (mine !== run) { s.getTracks().forEach(function (t) { t.stop(); }); throw new Error('stopped'); }
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () { state('playing'); say('scanning'); loop(); })
      .catch(function (e) {
        if (mine !== run) return; // stopped on purpose
        stop();
        state('failed');
        say('nocamera');
      });
  };
  button.addEventListener('click', function () {
    unlock();
    if (stream || finder.getAttribute('data-state') === 'starting') { stop(); state('idle'); status.textContent = ''; return; }
    start();
  });
}());
