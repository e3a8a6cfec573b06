package publiclog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/store"
)

// change is a colour change to colour on key's word at t, distinct by i.
func change(i int, key int64, to healthcode.Color, t time.Time) *healthcode.LogEntry {
	h := sha256.Sum256(fmt.Appendf(nil, "commitment %d", i))
	return &healthcode.LogEntry{Format: healthcode.LogFormat, Kind: healthcode.LogHistory, At: t,
		Author: healthcode.LogAuthor{Role: healthcode.RoleSystem}, Rule: "test/lab",
		History: &healthcode.LogChange{From: healthcode.Green, To: to, FactKeys: []int64{key}, Commitment: h[:]}}
}

// Many people red on one key's word within the window raise one alert,
// written to the public log and the server's log; reds spread wider, on
// other keys or to other colours do not, nor does the same burst again
// within the window.
func TestManyRedsOnOneKeysWordRaiseAnAlertInTheLog(t *testing.T) {
	at := func(hm string) time.Time {
		d, err := time.ParseDuration(hm)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(d)
	}
	rounds := []struct {
		entries []*healthcode.LogEntry
		alerts  int // alerts in the log after the round
	}{
		{[]*healthcode.LogEntry{change(1, 7, healthcode.Red, at("0m")), change(2, 7, healthcode.Red, at("10m"))}, 0},
		{[]*healthcode.LogEntry{change(3, 9, healthcode.Red, at("15m")), change(4, 7, healthcode.Yellow, at("18m")),
			change(5, 7, healthcode.Red, at("20m"))}, 1},
		{[]*healthcode.LogEntry{change(6, 7, healthcode.Red, at("30m"))}, 1}, // the same burst, within the hour
		{[]*healthcode.LogEntry{change(7, 7, healthcode.Red, at("85m"))}, 1}, // 20m, 30m, 85m: wider than an hour
		{[]*healthcode.LogEntry{change(8, 7, healthcode.Red, at("88m"))}, 2}, // 30m, 85m, 88m: a new burst, an hour after the first alert
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			var logs bytes.Buffer
			l := watchedLog(t, db, at("2h"), slog.New(slog.NewTextHandler(&logs, nil)))
			written := 0
			for i, r := range rounds {
				if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, r.entries...) }); err != nil {
					t.Fatal(err)
				}
				written += len(r.entries)
				drain(t, l, int64(written))
				for { // and the alerts the round wrote, which the next places
					n, err := l.SequenceLog(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						break
					}
				}
				head, err := l.LogHead(ctx)
				if err != nil {
					t.Fatal(err)
				}
				alerts := alertsIn(t, db, head.Size)
				written = int(head.Size)
				if len(alerts) != r.alerts {
					t.Fatalf("round %d: %d alerts in the log, want %d: %+v", i, len(alerts), r.alerts, alerts)
				}
			}
			first := alertsIn(t, db, int64(written))[0].Alert
			if first.Key != 7 || first.Reds != 3 || first.Within != "1h0m0s" || !first.From.Equal(at("0m")) || !first.To.Equal(at("20m")) {
				t.Errorf("first alert %+v, want key 7, 3 reds within 1h, 08:00–08:20", first)
			}
			if n := strings.Count(logs.String(), "red alert"); n != 2 {
				t.Errorf("the server logged %d red alerts, want 2:\n%s", n, logs.String())
			}
		})
	}
}

// alertsIn decodes the red alerts among the first size leaves.
func alertsIn(t *testing.T, db interface {
	LogEntries(context.Context, int64, int) ([]healthcode.LogRecord, error)
}, size int64) []*healthcode.LogEntry {
	t.Helper()
	recs, err := db.LogEntries(context.Background(), 0, int(size))
	if err != nil {
		t.Fatal(err)
	}
	var out []*healthcode.LogEntry
	for _, r := range recs {
		e, err := healthcode.DecodeLogEntry(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind == healthcode.LogRedAlert {
			out = append(out, e)
		}
	}
	return out
}

// Reds on an official's word (findings, release lists) are counted as a
// key's are, apart from the key of the same number.
func TestManyRedsOnOneOfficialsWordRaiseAnAlert(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	byOfficial := func(i int, official int64) *healthcode.LogEntry {
		e := change(i, 0, healthcode.Red, at.Add(time.Duration(i)*time.Minute))
		e.History.FactKeys, e.History.FactOfficials = nil, []int64{official}
		return e
	}
	entries := []*healthcode.LogEntry{byOfficial(1, 7), change(2, 7, healthcode.Red, at.Add(2*time.Minute)),
		byOfficial(3, 7), change(4, 7, healthcode.Red, at.Add(4*time.Minute)), byOfficial(5, 7)}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			l := watchedLog(t, db, at.Add(time.Hour), slog.New(slog.DiscardHandler))
			if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, entries...) }); err != nil {
				t.Fatal(err)
			}
			drain(t, l, int64(len(entries)))
			if _, err := l.SequenceLog(ctx); err != nil {
				t.Fatal(err)
			}
			head, err := l.LogHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			alerts := alertsIn(t, db, head.Size)
			if len(alerts) != 1 || alerts[0].Alert.Official != 7 || alerts[0].Alert.Key != 0 || alerts[0].Alert.Reds != 3 {
				t.Fatalf("alerts %+v, want one on official 7's 3 reds and none on key 7's 2", alerts)
			}
		})
	}
}

// watchedLog is a log on db at now, alerting on 3 reds within an hour.
func watchedLog(t *testing.T, db *store.DB, now time.Time, log *slog.Logger) *publiclog.Log {
	t.Helper()
	signer, vkey, err := publiclog.LoadOrCreateKey(filepath.Join(t.TempDir(), "keys"), "healthcode-test")
	if err != nil {
		t.Fatal(err)
	}
	l := publiclog.New(db, signer, vkey, func() time.Time { return now }, log)
	l.WatchReds(publiclog.RedAlert{N: 3, Within: time.Hour})
	return l
}
