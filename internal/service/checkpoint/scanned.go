package checkpoint

import (
	"time"

	"healthcode"
)

// A checkpoint whose network is down checks codes in the browser and
// queues the temperatures it takes (docs/federation.md, "Offline
// checkpoint"); once back online it sends each with the time it was
// taken. Such a scan is judged as of that time, within these bounds.
const (
	// maxQueueAge is how old a queued scan may be: a device offline
	// longer has lost its chance to vouch for what it saw.
	maxQueueAge = 24 * time.Hour
	// scanSkew is how far ahead of the server's clock a device's may be,
	// as for a token's issued-at (healthqr's 30 s).
	scanSkew = 30 * time.Second
)

// checkScannedAt adds to p why in's scanned_at cannot be taken: only a
// temperature is queued, so a time without one dates nothing, and the
// time must lie in the last 24 hours.
func checkScannedAt(in VerifyInput, now time.Time, p *healthcode.Problems) {
	if in.ScannedAt == nil {
		return
	}
	at := *in.ScannedAt
	switch {
	case in.Temperature == nil:
		p.Add("scanned_at", "dates a queued temperature: send the temperature with it")
	case at.After(now.Add(scanSkew)):
		p.Add("scanned_at", "must not be in the future")
	case at.Before(now.Add(-maxQueueAge)):
		p.Add("scanned_at", "must be within the last 24 hours")
	}
}

// scanTime is when in's scan was made: now, or the queued scan's time; a
// device clock ahead of the server's (within scanSkew) dates it now, so
// no fact lies in the future.
func scanTime(in VerifyInput, now time.Time) time.Time {
	if in.ScannedAt != nil && in.ScannedAt.Before(now) {
		return *in.ScannedAt
	}
	return now
}
