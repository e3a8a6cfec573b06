package provider

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Defaults of a Client.
const (
	DefaultTimeout = 3 * time.Second // one attempt
	DefaultRetries = 2               // attempts after the first
)

// Client posts signed JSON requests to one provider.
type Client struct {
	URL     string
	Secret  []byte
	Timeout time.Duration // per attempt; DefaultTimeout when zero
	Retries int           // attempts after the first (NewClient sets DefaultRetries)
	HTTP    *http.Client  // one that follows no redirects when nil
	// Backoff is the wait before retry n (1, 2, …); 200ms·n when nil.
	Backoff func(n int) time.Duration
}

// NewClient checks a provider's address and secret. The address must be
// https, except on a loopback host (a provider on the same machine, and
// tests).
func NewClient(rawURL string, secret []byte) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL", rawURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		return nil, fmt.Errorf("%q: must be an https:// URL (plain http only on a loopback host)", rawURL)
	}
	if len(secret) < 16 {
		return nil, errors.New("the shared secret must be at least 16 bytes")
	}
	return &Client{URL: rawURL, Secret: secret, Retries: DefaultRetries, HTTP: noRedirects}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noRedirects is the client of providers: a redirect is answered as it
// is, a 3xx that is refused, never followed: following one would send an
// identity, or a code, and a signature to wherever it points, plain http
// included.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// errPermanent marks an answer that trying again cannot change.
var errPermanent = errors.New("provider refused the request")

// Post sends in as JSON and decodes a 2xx answer into out (nil: the body
// is ignored). It tries again after network errors, timeouts, 429 and 5xx,
// at most c.Retries times, and stops when ctx is done.
func (c *Client) Post(ctx context.Context, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	key := idempotencyKey()
	var last error
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return fmt.Errorf("%w (after %d attempts)", last, attempt)
			}
		}
		last = c.try(ctx, body, key, out)
		if last == nil || errors.Is(last, errPermanent) || ctx.Err() != nil {
			return last
		}
	}
	return fmt.Errorf("%w (after %d attempts)", last, c.Retries+1)
}

func (c *Client) try(ctx context.Context, body []byte, key string, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Healthcode-Timestamp", ts)
	req.Header.Set("X-Healthcode-Signature", "v1="+Sign(c.Secret, ts, body))
	req.Header.Set("Idempotency-Key", key)
	hc := c.HTTP
	if hc == nil {
		hc = noRedirects
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("post to provider: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case err != nil:
		return fmt.Errorf("read provider answer: %w", err)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("provider answered %s", resp.Status)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("%w: %s", errPermanent, resp.Status)
	case out == nil:
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: answer is not the documented JSON: %v", errPermanent, err)
	}
	return nil
}

func (c *Client) backoff(n int) time.Duration {
	if c.Backoff != nil {
		return c.Backoff(n)
	}
	return time.Duration(n) * 200 * time.Millisecond
}

// Sign is the request signature: the hex HMAC-SHA256 under secret of the
// timestamp, a full stop and the body. Providers compute the same to check
// a request (and refuse timestamps far from their clock).
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func idempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
