// Package provider holds the adapters to the outside services every
// production deployment needs: the real-name check (a carrier's or the
// public-security three-element match) and the SMS gateway that delivers
// one-time codes. Both are reached over HTTP with one request shape,
// documented in docs/providers.md:
//
//   - POST of a JSON body to the configured https:// address;
//   - X-Healthcode-Timestamp: the Unix time in seconds;
//   - X-Healthcode-Signature: "v1=" and the hex HMAC-SHA256, under the
//     shared secret, of the timestamp, a full stop and the body, so the
//     provider can refuse forged or replayed requests;
//   - Idempotency-Key: the same for every retry of one request, so a
//     gateway that saw the first attempt sends no second text.
//
// A request that fails (network error, timeout, 429 or 5xx) is tried again
// a bounded number of times; when every try fails the caller gets an
// EUNAVAILABLE error, never a silent success. For tests, demos and closed
// deployments the real-name check can also read a CSV register (Register).
package provider
