package publiclog

import (
	"maps"
	"slices"
	"time"

	"healthcode"
)

// RedAlert is the live alert's threshold: N people turned red on one
// key's word within Within (docs/log.md). The sequencer writes a
// red-alert entry to the log and a warning to the server's log when a key
// crosses it, at most once a Within per key; `log report --alert-red`
// finds the same bursts afterwards, over the whole log.
type RedAlert struct {
	N      int
	Within time.Duration
}

// WatchReds turns the live alert on; a zero N leaves it off.
func (l *Log) WatchReds(a RedAlert) {
	if a.N > 0 && a.Within > 0 {
		l.watch = &watch{limit: a, reds: map[word][]time.Time{}, alerted: map[word]time.Time{}}
	}
}

// watch is what the sequencer remembers of recent reds: per key the last
// N of them (enough to tell whether N fell within the window) and when it
// last alerted. It is per process: a sequencer that takes over after a
// restart starts afresh, and the report still sees everything.
type watch struct {
	limit   RedAlert
	reds    map[word][]time.Time
	alerted map[word]time.Time
}

// word is whose word a red rests on: an API key or an official.
type word struct{ key, official int64 }

// see counts the reds of a round's entries and returns the alerts they
// raise, on a copy of w: the sequencer keeps it only if the round commits,
// so a round tried again is not counted twice.
func (w *watch) see(pending []healthcode.LogRecord) (*watch, []*healthcode.LogAlert) {
	next := &watch{limit: w.limit, reds: maps.Clone(w.reds), alerted: maps.Clone(w.alerted)}
	var alerts []*healthcode.LogAlert
	for _, rec := range pending {
		e, err := healthcode.DecodeLogEntry(rec.Body)
		if err != nil || e.Kind != healthcode.LogHistory || e.History == nil || e.History.To != healthcode.Red {
			continue
		}
		for _, key := range e.History.FactKeys {
			if a := next.red(word{key: key}, e.At); a != nil {
				alerts = append(alerts, a)
			}
		}
		for _, o := range e.History.FactOfficials {
			if a := next.red(word{official: o}, e.At); a != nil {
				alerts = append(alerts, a)
			}
		}
	}
	return next, alerts
}

// red adds one red at t on key's word and returns the alert it raises.
func (w *watch) red(key word, t time.Time) *healthcode.LogAlert {
	times := append(slices.Clone(w.reds[key]), t)
	if len(times) > w.limit.N {
		times = times[len(times)-w.limit.N:]
	}
	w.reds[key] = times
	if len(times) < w.limit.N || t.Sub(times[0]) > w.limit.Within {
		return nil
	}
	if last, ok := w.alerted[key]; ok && t.Sub(last) < w.limit.Within {
		return nil
	}
	w.alerted[key] = t
	return &healthcode.LogAlert{Key: key.key, Official: key.official, Reds: len(times), Within: w.limit.Within.String(), From: times[0], To: t}
}
