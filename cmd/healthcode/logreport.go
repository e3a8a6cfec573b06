package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"healthcode"
	"healthcode/internal/publiclog"
)

// logReport runs "healthcode log report": what each author did in the
// public log since a time, and the keys on whose word many people turned
// red in a short time.
func logReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sinceFlag, alertFlag string
	c, err := parse("log report", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&sinceFlag, "since", "", "count what was done from `TIME` on ("+timeUsage+"); empty: from the start")
		fs.StringVar(&alertFlag, "alert-red", "", "name the authors with `N/PERIOD` red codes or more on their word within any PERIOD (e.g. 100/1h); "+
			"the command then fails, for a cron job to alert")
	})
	if err != nil {
		return err
	}
	var since time.Time
	if sinceFlag != "" {
		if since, err = parseInstant("since", sinceFlag, time.Now()); err != nil {
			return err
		}
	}
	n, within, err := parseAlert(alertFlag)
	if err != nil {
		return err
	}
	store, _, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	var size int64
	head, err := store.LogHead(ctx)
	switch {
	case err == nil:
		size = head.Size
	case healthcode.ErrorCode(err) != healthcode.ENOTFOUND:
		return err
	}
	acts, bursts, err := publiclog.Report(ctx, store, size, since, n, within)
	if err != nil {
		return fmt.Errorf("log report: %w", err)
	}
	printReport(stdout, size, since, acts)
	for _, b := range bursts {
		fmt.Fprintf(stdout, "ALERT: %d red codes on the word of %s within %s, %s – %s\n", b.Count, b.Author, within,
			chinaTime(b.From), chinaTime(b.To))
	}
	if len(bursts) > 0 {
		return fmt.Errorf("log report: %s past the alert threshold of %s", plural(len(bursts), "author", "authors"), alertFlag)
	}
	return nil
}

func printReport(w io.Writer, size int64, since time.Time, acts []publiclog.Activity) {
	from := "the start"
	if !since.IsZero() {
		from = chinaTime(since)
	}
	fmt.Fprintf(w, "the public log's %s signed, counted from %s:\n", plural(int(size), "entry", "entries"), from)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "author\tto red\tto yellow\tto green\tkeys made\tkeys revoked\tvenues made\tpolicies set\trelease lists\tfindings"+
		"\tofficials appointed\tofficials disabled\tpersons unmasked")
	for _, a := range acts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", a.Author, a.Red, a.Yellow, a.Green, a.KeysCreated,
			a.KeysRevoked, a.Venues, a.Policies, a.ReleaseLists, a.Findings, a.Appointed, a.Disabled, a.Unmasked)
	}
	tw.Flush()
}

// parseAlert reads --alert-red N/PERIOD; empty is no alert.
// defaultRedAlert is serve's live alert: 200 people red on one key's
// word within an hour is more than a feed sends on an ordinary day, and
// what a handful of accounts did in Henan, 2022, in far less.
const defaultRedAlert = "200/1h"

// parseRedAlert reads serve's --alert-red: N/PERIOD, or off.
func parseRedAlert(v string) (publiclog.RedAlert, error) {
	if v == "off" {
		return publiclog.RedAlert{}, nil
	}
	n, within, err := parseAlert(v)
	return publiclog.RedAlert{N: n, Within: within}, err
}

func parseAlert(v string) (int, time.Duration, error) {
	if v == "" {
		return 0, 0, nil
	}
	count, period, ok := strings.Cut(v, "/")
	n, err1 := strconv.Atoi(count)
	d, err2 := time.ParseDuration(period)
	if !ok || err1 != nil || err2 != nil || n < 1 || d <= 0 {
		return 0, 0, fmt.Errorf("--alert-red %q: want N/PERIOD, such as 100/1h", v)
	}
	return n, d, nil
}
