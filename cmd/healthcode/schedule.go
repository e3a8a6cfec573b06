package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"healthcode/internal/service"
)

// Scheduler settings of serve.
const (
	defaultScheduleEvery = 30 * time.Second
	// scheduleBatch persons go in one transaction: large enough that a
	// batch costs a few round trips for hundreds of people, small enough
	// that the locks it holds are let go within a fraction of a second.
	scheduleBatch = 500
)

// schedule is serve's --schedule-every, with its default from
// HEALTHCODE_SCHEDULE_EVERY.
type schedule struct {
	every  time.Duration
	envErr error // a malformed environment value, unless the flag replaced it
	fs     *flag.FlagSet
}

func (s *schedule) bind(fs *flag.FlagSet, getenv func(string) string) {
	s.fs, s.every = fs, defaultScheduleEvery
	if v := getenv("HEALTHCODE_SCHEDULE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			s.envErr = fmt.Errorf("HEALTHCODE_SCHEDULE_EVERY: %q is not a duration such as 30s", v)
		}
		s.every = d
	}
	fs.DurationVar(&s.every, "schedule-every", s.every,
		"how often the scheduler re-evaluates persons whose next evaluation is due; 0 turns it off ($HEALTHCODE_SCHEDULE_EVERY)")
}

// validate runs after parsing, when it is known whether the flag was given.
func (s *schedule) validate() error {
	given := false
	s.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "schedule-every" })
	if s.envErr != nil && !given {
		return s.envErr
	}
	if s.every != 0 && s.every < time.Second {
		return errors.New("--schedule-every: must be 0 (off) or at least 1s")
	}
	return nil
}

// run re-evaluates due persons at once, then every s.every, until
// ctx ends. Several servers may run it on one database: their batches skip
// each other's locked persons.
func (s *schedule) run(ctx context.Context, svc *service.Service, log *slog.Logger) {
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	for {
		// EvaluateDue logs each run; a failed batch is rolled back and its
		// persons stay due for the next tick.
		if _, err := svc.EvaluateDue(ctx, scheduleBatch); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "scheduled re-evaluation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// purgeEvery is how often a server deletes expired one-time codes and
// sessions. Servers sharing a database may all do it; a purge deletes
// only what has expired.
const purgeEvery = 10 * time.Minute

// purge deletes expired codes and sessions now and every purgeEvery until
// ctx ends.
func purge(ctx context.Context, svc *service.Service, log *slog.Logger) {
	tick := time.NewTicker(purgeEvery)
	defer tick.Stop()
	for {
		if n, err := svc.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "purge failed", "err", err)
		} else if n > 0 {
			log.InfoContext(ctx, "purged expired codes and sessions", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
