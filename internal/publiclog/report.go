package publiclog

import (
	"context"
	"fmt"
	"slices"
	"time"

	"healthcode"
)

// Activity is what one author did in the log: colour changes resting on
// its facts by the colour they gave, keys made and revoked, venue codes
// made, officials' accounts opened and disabled, and persons unmasked.
type Activity struct {
	Author                   string // "system", "operator", "key 7 (feed)", …
	Red, Yellow, Green       int
	KeysCreated, KeysRevoked int
	Venues                   int
	Policies                 int // policies recorded in force (at each start)
	Appointed, Disabled      int // officials' accounts
	Unmasked                 int // persons an official saw in clear
	ReleaseLists             int // isolation points' release lists applied
	Findings                 int // false declarations found
}

// Burst is many red codes on one key's word in a short time: the pattern
// of Henan, 2022.
type Burst struct {
	Author   string
	Count    int
	From, To time.Time
}

// Report reads the first size entries and counts, by author, what was
// done at or after since. A colour change counts for each key whose facts
// it rests on (LogChange.FactKeys) and each official's (FactOfficials),
// and for the system when it rests on none. Bursts lists the authors with at least n red codes within any
// span of within (n 0: none looked for), each at its densest span.
func Report(ctx context.Context, r healthcode.LogReader, size int64, since time.Time, n int, within time.Duration) ([]Activity, []Burst, error) {
	by := map[string]*Activity{}
	reds := map[string][]time.Time{}
	roles := map[int64]healthcode.Role{}
	var order []string
	get := func(name string) *Activity {
		if by[name] == nil {
			by[name] = &Activity{Author: name}
			order = append(order, name)
		}
		return by[name]
	}
	for from := int64(0); from < size; from += verifyPage {
		recs, err := r.LogEntries(ctx, from, int(min(verifyPage, size-from)))
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range recs {
			e, err := healthcode.DecodeLogEntry(rec.Body)
			if err != nil {
				return nil, nil, fmt.Errorf("log entry %d: %w", rec.Leaf, err)
			}
			if e.Key != nil && e.Kind == healthcode.LogKeyCreated {
				roles[e.Key.ID] = e.Key.Role
			}
			if e.At.Before(since) {
				continue
			}
			count(e, roles, get, reds)
		}
	}
	slices.Sort(order)
	out := make([]Activity, len(order))
	var bursts []Burst
	for i, name := range order {
		out[i] = *by[name]
		if b, ok := densest(reds[name], n, within); ok {
			b.Author = name
			bursts = append(bursts, b)
		}
	}
	return out, bursts, nil
}

func count(e *healthcode.LogEntry, roles map[int64]healthcode.Role, get func(string) *Activity, reds map[string][]time.Time) {
	switch e.Kind {
	case healthcode.LogHistory:
		var names []string
		for _, k := range e.History.FactKeys {
			names = append(names, keyName(k, roles[k]))
		}
		for _, o := range e.History.FactOfficials {
			names = append(names, officialName(o))
		}
		if len(names) == 0 {
			names = []string{string(healthcode.RoleSystem)}
		}
		for _, name := range names {
			a := get(name)
			switch e.History.To {
			case healthcode.Red:
				a.Red++
				reds[name] = append(reds[name], e.At)
			case healthcode.Yellow:
				a.Yellow++
			case healthcode.Green:
				a.Green++
			}
		}
	case healthcode.LogKeyCreated:
		get(authorName(e.Author, roles)).KeysCreated++
	case healthcode.LogKeyRevoked:
		get(authorName(e.Author, roles)).KeysRevoked++
	case healthcode.LogVenueCreated:
		get(authorName(e.Author, roles)).Venues++
	case healthcode.LogPolicySet:
		get(authorName(e.Author, roles)).Policies++
	case healthcode.LogOfficialCreated:
		get(authorName(e.Author, roles)).Appointed++
	case healthcode.LogOfficialDisabled:
		get(authorName(e.Author, roles)).Disabled++
	case healthcode.LogPersonUnmasked:
		get(authorName(e.Author, roles)).Unmasked++
	case healthcode.LogReleaseList:
		get(authorName(e.Author, roles)).ReleaseLists++
	case healthcode.LogFindingRecorded:
		get(authorName(e.Author, roles)).Findings++
	}
}

func authorName(a healthcode.LogAuthor, roles map[int64]healthcode.Role) string {
	if a.Key != 0 {
		return keyName(a.Key, a.Role)
	}
	if a.Official != 0 {
		return officialName(a.Official)
	}
	return string(a.Role)
}

// officialName names an official by account id, as history entries do
// (they carry no role).
func officialName(id int64) string { return fmt.Sprintf("official %d", id) }

func keyName(id int64, role healthcode.Role) string {
	if role == "" {
		role = "unknown role"
	}
	return fmt.Sprintf("key %d (%s)", id, role)
}

// densest finds the span of within holding the most of times (in log
// order, which is about time order), when it holds at least n.
func densest(times []time.Time, n int, within time.Duration) (Burst, bool) {
	if n <= 0 || len(times) < n {
		return Burst{}, false
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best := Burst{}
	lo := 0
	for hi := range times {
		for times[hi].Sub(times[lo]) > within {
			lo++
		}
		if c := hi - lo + 1; c > best.Count {
			best = Burst{Count: c, From: times[lo], To: times[hi]}
		}
	}
	return best, best.Count >= n
}
