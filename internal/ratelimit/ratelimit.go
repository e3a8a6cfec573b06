// Package ratelimit is the healthcode.Limiter of a server: the buckets
// live in the store, so every server on one database shares them, and a
// small in-process front remembers refusals so that a flood from one key
// costs the database one statement per refusal period, not one per
// request.
package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"healthcode"
)

const (
	// purgeEvery is how often a server deletes the buckets that are full
	// again, keeping the table to the keys seen within one period.
	purgeEvery = time.Minute
	// maxRemembered bounds the refusals kept in memory; past it, refusals
	// are asked of the store again, which is slower, never wrong.
	maxRemembered = 10_000
)

// Limiter implements healthcode.Limiter over a store.
type Limiter struct {
	store healthcode.RateStore
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	refused   map[string]time.Time // key → when its bucket lets a request through again
	nextPurge time.Time
}

var _ healthcode.Limiter = (*Limiter)(nil)

// New returns a Limiter over store; now is the clock. log, which may be
// nil, hears of failed purges.
func New(store healthcode.RateStore, log *slog.Logger, now func() time.Time) *Limiter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Limiter{store: store, log: log, now: now, refused: map[string]time.Time{}}
}

// Allow implements healthcode.Limiter. A refusal remembered here is one
// the store gave: a bucket's next free time only moves later, whoever
// takes from it, so answering it from memory until then is what every
// server would answer. Only the store ever allows.
func (l *Limiter) Allow(ctx context.Context, key []byte, r healthcode.Rate) (time.Duration, error) {
	now := l.now()
	if wait := l.remembered(key, now); wait > 0 {
		return wait, nil
	}
	if l.purgeDue(now) {
		if n, err := l.store.PurgeRates(ctx, now); err != nil {
			l.log.WarnContext(ctx, "purge rate limits", "err", err)
		} else if n > 0 {
			l.log.DebugContext(ctx, "purged rate limits", "buckets", n)
		}
	}
	wait, err := l.store.TakeRate(ctx, key, r, now)
	if err != nil {
		return 0, err
	}
	if wait > 0 {
		l.remember(key, now.Add(wait), now)
	}
	return wait, nil
}

func (l *Limiter) remembered(key []byte, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.refused[string(key)]
	if !ok {
		return 0
	}
	if !now.Before(until) {
		delete(l.refused, string(key))
		return 0
	}
	return until.Sub(now)
}

func (l *Limiter) remember(key []byte, until, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.refused) >= maxRemembered {
		for k, u := range l.refused {
			if !now.Before(u) {
				delete(l.refused, k)
			}
		}
		if len(l.refused) >= maxRemembered {
			return
		}
	}
	l.refused[string(key)] = until
}

// purgeDue reports whether this caller should purge now; one caller a
// period does.
func (l *Limiter) purgeDue(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.nextPurge) {
		return false
	}
	l.nextPurge = now.Add(purgeEvery)
	return true
}
