// The checkpoint's camera scanner: BarcodeDetector where the browser has
// it, jsQR otherwise. A decoded code fills the form and submits it, so the
// verdict is the same page the manual entry gives.
(function () {
  'use strict';
  var section = document.getElementById('scanner');
  var form = document.getElementById('verify-form');
  if (!section || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  section.hidden = false;
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

  var found = function (text) {
    if (done || !text) return;
    done = true;
    document.getElementById('token').value = text;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    form.submit();
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
    if (done) return;
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
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () { status.textContent = ''; loop(); })
      .catch(function () { status.textContent = section.getAttribute('data-nocamera') || status.textContent; });
  };
  button.addEventListener('click', start);
}());
