package policy

import (
	"time"

	"healthcode"
)

// never marks a requirement that is not met by now.
var never = time.Time{}

// exitMet returns when exit x of a phase of ep that began at start was met,
// with ok set. When only time is missing it returns when the wait will end,
// with ok unset; otherwise a zero time.
func (ev *evaluation) exitMet(x *Exit, ep *episode, start time.Time) (time.Time, bool) {
	var reqs [4]time.Time
	var ok [4]bool
	reqs[0], ok[0] = ev.testsMet(x.Tests, start)
	reqs[1], ok[1] = ev.checkInsMet(x.CheckIns, start)
	reqs[2], ok[2] = ev.releasedMet(x.Released, start)
	reqs[3], ok[3] = ev.closedMet(x.Closed, ep, start)
	at := start
	for i := range reqs {
		if !ok[i] {
			return never, false
		}
		at = later(at, reqs[i])
	}
	if x.After > 0 {
		from := start
		if x.From == AnchorAnchor {
			from = ep.anchor
		}
		at = later(at, from.Add(x.After.D()))
	}
	return at, !at.After(ev.now)
}

// testsMet finds when the last result needed by rule arrived: Count
// negatives sampled at or after start, spaced and windowed as the rule
// says, none of them before a later positive.
func (ev *evaluation) testsMet(rule *TestRule, start time.Time) (time.Time, bool) {
	if rule == nil {
		return start, true
	}
	var buf [16]time.Time
	samples := buf[:0]
	for _, i := range ev.tests {
		f := &ev.facts[i]
		t := f.Test
		if t.Sampled.Before(start) {
			continue
		}
		if t.Result == healthcode.TestPositive {
			samples = samples[:0]
			continue
		}
		samples = insertSorted(samples, t.Sampled)
		if longestChain(samples, rule) >= rule.Count {
			return f.At, true
		}
	}
	return never, false
}

// testsHave counts the negatives that would count now, for explanations.
func (ev *evaluation) testsHave(rule *TestRule, start time.Time) int {
	var buf [16]time.Time
	samples := buf[:0]
	for _, i := range ev.tests {
		t := ev.facts[i].Test
		switch {
		case t.Sampled.Before(start):
		case t.Result == healthcode.TestPositive:
			samples = samples[:0]
		default:
			samples = insertSorted(samples, t.Sampled)
		}
	}
	return longestChain(samples, rule)
}

func insertSorted(s []time.Time, t time.Time) []time.Time {
	s = append(s, t)
	for i := len(s) - 1; i > 0 && s[i].Before(s[i-1]); i-- {
		s[i], s[i-1] = s[i-1], s[i]
	}
	return s
}

// longestChain is the most samples that can be picked, in order, each at
// least MinInterval after the previous and all within Within of the first.
// Picking the earliest eligible next sample is optimal for a fixed first.
func longestChain(samples []time.Time, rule *TestRule) int {
	best := 0
	for i := range samples {
		n, last := 1, samples[i]
		for _, s := range samples[i+1:] {
			if rule.Within > 0 && s.Sub(samples[i]) > rule.Within.D() {
				break
			}
			if s.Sub(last) >= rule.MinInterval.D() {
				n, last = n+1, s
			}
		}
		best = max(best, n)
	}
	return best
}

// checkInsMet finds when the n-th consecutive day of normal check-ins,
// from the phase's first day, was reported.
func (ev *evaluation) checkInsMet(n int, start time.Time) (time.Time, bool) {
	if n == 0 {
		return start, true
	}
	if at, streak := ev.checkInStreak(n, start); streak >= n {
		return at, true
	}
	return never, false
}

// checkInStreak walks the check-ins from start's day and returns the
// longest run of consecutive normal days up to n, and when it reached n.
func (ev *evaluation) checkInStreak(n int, start time.Time) (time.Time, int) {
	first := dayNumber(start)
	streak, lastDay, badDay := 0, int64(-1), int64(-1)
	for _, i := range ev.checkIns {
		f := &ev.facts[i]
		d, ok := parseDay(f.CheckIn.Date)
		if !ok || d < first {
			continue
		}
		switch {
		case !f.CheckIn.Normal():
			streak, lastDay, badDay = 0, -1, d
		case d == badDay: // a day with symptoms is not a normal day, whatever else is reported
		case d == lastDay: // a second check-in on one day adds nothing
		case d == lastDay+1 || lastDay < 0:
			streak, lastDay = streak+1, d
		default:
			streak, lastDay = 1, d
		}
		if streak >= n {
			return f.At, n
		}
	}
	return never, streak
}

func (ev *evaluation) releasedMet(setting healthcode.IsolationSetting, start time.Time) (time.Time, bool) {
	if setting == "" {
		return start, true
	}
	for _, i := range ev.isolations {
		f := &ev.facts[i]
		if f.Isolation.Event == healthcode.IsolationRelease && f.Isolation.Setting == setting && !f.At.Before(start) {
			return f.At, true
		}
	}
	return never, false
}

// closedMet finds the closing of the episode's case: any closing with that
// outcome after the episode began, met no earlier than the phase.
func (ev *evaluation) closedMet(outcome healthcode.CaseOutcome, ep *episode, start time.Time) (time.Time, bool) {
	if outcome == "" {
		return start, true
	}
	for _, i := range ev.closings {
		f := &ev.facts[i]
		if f.CaseClosed.Outcome == outcome && !f.At.Before(ep.start) {
			return later(f.At, start), true
		}
	}
	return never, false
}

// China-time calendar days, for "one a day" and "consecutive days".
func dayNumber(t time.Time) int64 {
	_, off := t.In(ChinaTime).Zone()
	return (t.Unix() + int64(off)) / 86400
}

func parseDay(s string) (int64, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, ChinaTime)
	if err != nil {
		return 0, false
	}
	return dayNumber(t), true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
