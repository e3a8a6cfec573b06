package policy

import (
	"slices"
	"time"

	"healthcode"
)

// timeline is the state of the colour at now, after replaying every
// instant at which it could have changed.
type timeline struct {
	color healthcode.Color // the colour shown
	since time.Time        // since when it has been shown
	raw   healthcode.Color // the most severe phase in force
	local healthcode.Color // raw, or the colour a block holds
	held  int              // the block span holding the colour, or -1
	lock  int              // the lock span raising the colour, or -1
	// Green validity: the last renewal, the fact that renewed (or made the
	// person green), and whether green has lapsed.
	renewed   time.Time
	renewFact int
	lapsed    bool
}

// sweep replays the colour through every instant where something starts or
// ends, holding blocked decreases and lapsing green without renewals.
func (ev *evaluation) sweep() timeline {
	tl := timeline{held: -1, lock: -1, renewFact: -1}
	points := ev.changePoints()
	var validFor time.Duration
	if v := ev.pack.GreenValidity; v != nil {
		validFor = v.Duration.D()
	}
	renewal := 0
	for k := 0; k < len(points); {
		b := points[k]
		// Green lapses between points, at renewal + validity.
		if validFor > 0 && tl.local == healthcode.Green && !tl.lapsed {
			if lapse := tl.renewed.Add(validFor); lapse.Before(b) && !lapse.After(ev.now) {
				b = lapse
			}
		}
		if b.Equal(points[k]) {
			k++
		}
		for renewal < len(ev.renewals) && ev.facts[ev.renewals[renewal]].At.Before(b) {
			renewal++
		}
		renewedAt := renewal < len(ev.renewals) && ev.facts[ev.renewals[renewal]].At.Equal(b)
		ev.step(&tl, b, validFor, renewedAt, renewal)
		if k == len(points) && validFor > 0 && tl.local == healthcode.Green && !tl.lapsed {
			if lapse := tl.renewed.Add(validFor); !lapse.After(ev.now) {
				ev.step(&tl, lapse, validFor, false, renewal)
			}
		}
	}
	return tl
}

// step works out the colour from instant b on.
func (ev *evaluation) step(tl *timeline, b time.Time, validFor time.Duration, renewedAt bool, renewal int) {
	raw := healthcode.Color(0)
	if !b.Before(ev.first) {
		raw = healthcode.Green
	}
	for i := range ev.spans {
		if s := &ev.spans[i]; s.color > raw && s.activeAt(b) {
			raw = s.color
		}
	}
	local, held := raw, -1
	if raw < tl.local {
		if held = ev.blockAt(b); held >= 0 {
			local = tl.local
		}
	}
	if local == healthcode.Green && tl.local != healthcode.Green {
		tl.renewed, tl.renewFact = b, ev.greenedBy(b)
	}
	if renewedAt {
		tl.renewed, tl.renewFact = b, ev.renewals[renewal]
	}
	tl.raw, tl.local, tl.held = raw, local, held
	shown := local
	tl.lapsed = validFor > 0 && local == healthcode.Green && !b.Before(tl.renewed.Add(validFor))
	if tl.lapsed {
		shown = healthcode.Yellow
	}
	tl.lock = -1
	for i := range ev.locks {
		if l := &ev.locks[i]; l.activeAt(b) && l.color > shown {
			shown, tl.lock = l.color, i
		}
	}
	if shown != tl.color {
		tl.color, tl.since = shown, b
	}
}

// blockAt is the first block span applying at t, or -1.
func (ev *evaluation) blockAt(t time.Time) int {
	for i := range ev.blocks {
		if ev.blocks[i].activeAt(t) {
			return i
		}
	}
	return -1
}

// points lists, in order, every instant up to now at which the colour may
// change.
func (ev *evaluation) changePoints() []time.Time {
	ps := ev.points[:0]
	add := func(t time.Time) {
		if !t.IsZero() && !t.After(ev.now) {
			ps = append(ps, t)
		}
	}
	if len(ev.facts) > 0 {
		add(ev.first)
	}
	for i := range ev.spans {
		add(ev.spans[i].start)
		add(ev.spans[i].end)
	}
	for i := range ev.blocks {
		add(ev.blocks[i].start)
		add(ev.blocks[i].end)
	}
	for i := range ev.locks {
		add(ev.locks[i].start)
		add(ev.locks[i].end)
	}
	for _, i := range ev.renewals {
		add(ev.facts[i].At)
	}
	slices.SortFunc(ps, time.Time.Compare)
	ev.points = slices.CompactFunc(ps, time.Time.Equal)
	return ev.points
}

// greenedBy names the fact that made a person green at b: the trigger of
// an episode that ended then, else the last fact known by then.
func (ev *evaluation) greenedBy(b time.Time) int {
	for i := range ev.spans {
		if s := &ev.spans[i]; s.end.Equal(b) {
			return ev.episodes[s.ep].fact
		}
	}
	last := 0
	for i := range ev.facts {
		if ev.facts[i].At.After(b) {
			break
		}
		last = i
	}
	return last
}
