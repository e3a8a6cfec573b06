package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
	"healthcode/internal/service"
	"healthcode/policy"
)

const keysUsage = "usage: healthcode keys create-checkpoint|create-admin|create-feed --name NAME [--kinds lab,…] [--region CODE] [--expires 720h|DATE]\n" +
	"       healthcode keys list [--json]\n" +
	"       healthcode keys revoke NAME|ID"

func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(keysUsage)
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, keysUsage)
		return nil
	}
	switch args[0] {
	case "list":
		return keysList(ctx, args[1:], getenv, stdout, stderr)
	case "revoke":
		return keysRevoke(ctx, args[1:], getenv, stdout, stderr)
	}
	return keysCreate(ctx, args, getenv, stdout, stderr)
}

// keysCreate makes a key and prints its secret, the only time it is shown.
func keysCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	roles := map[string]healthcode.Role{"create-checkpoint": healthcode.RoleCheckpoint,
		"create-admin": healthcode.RoleAdmin, "create-feed": healthcode.RoleFeed}
	role := roles[args[0]]
	if role == "" {
		return errors.New(keysUsage)
	}
	var name, kinds, expires string
	c, err := parse("keys "+args[0], args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the key's `NAME`: recorded as the source of what it sends")
		if role == healthcode.RoleFeed {
			fs.StringVar(&kinds, "kinds", "", "the feed `KINDS` it may send, comma-separated: "+strings.Join(ingest.Kinds(), ", "))
		}
		fs.StringVar(&expires, "expires", "", "when the key stops working: a `DURATION` from now (720h) or a date or time "+
			"in China time (2026-12-31: through that day; 2026-12-31T18:00; RFC 3339); empty: never")
	})
	if err != nil {
		return err
	}
	spec := service.KeySpec{Name: name, Role: role, Region: c.Region, Kinds: splitList(kinds)}
	if spec.ExpiresAt, err = parseExpires(expires, time.Now()); err != nil {
		return err
	}
	return withService(ctx, c, openStore, getenv, stderr, func(svc *service.Service) error {
		key, k, err := svc.CreateKey(ctx, permission.Operator(), spec) // the command line is the operator
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created %s key %d %q for region %s, %s; it is shown once:\n", k.Role, k.ID, k.Name, k.Region,
			expiry(k.ExpiresAt))
		fmt.Fprintln(stdout, key)
		return nil
	})
}

// keysList prints every key, never a secret: they are not stored.
func keysList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	c, err := parse("keys list", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print a JSON array, for scripts")
	})
	if err != nil {
		return err
	}
	return withService(ctx, c, openExisting, getenv, stderr, func(svc *service.Service) error {
		ks, err := svc.APIKeys(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return printKeysJSON(stdout, ks, time.Now())
		}
		return printKeys(stdout, ks, time.Now())
	})
}

// keysRevoke revokes one key, by its ID or its name.
func keysRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, refs, err := parseWith("keys revoke", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if len(refs) != 1 {
		return errors.New("usage: healthcode keys revoke NAME|ID: name exactly one key")
	}
	return withService(ctx, c, openExisting, getenv, stderr, func(svc *service.Service) error {
		k, err := svc.RevokeAPIKey(ctx, refs[0])
		if code := healthcode.ErrorCode(err); code == healthcode.ENOTFOUND || code == healthcode.ECONFLICT {
			return errors.New(healthcode.ErrorMessage(err)) // which keys matched, for the operator to choose
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s key %d %q; it stops working now on every server\n", k.Role, k.ID, k.Name)
		return nil
	})
}

// withService opens the store by open and a service on it for one
// command: openStore where the command may start a deployment (creating a
// key), openExisting where it only reads or changes one.
func withService(ctx context.Context, c *config, open func(context.Context, *config) (healthcode.Store, string, error),
	getenv func(string) string, stderr io.Writer, fn func(*service.Service) error) error {
	store, _, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := openService(c, store, getenv, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	return fn(svc)
}

// parseExpires reads --expires: a duration from now, or a time in China
// time; a date alone means the key works through that day.
func parseExpires(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--expires %s: must be a time in the future", v)
		}
		return now.Add(d), nil
	}
	t, err := policy.ParseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--expires %q: want a duration like 720h, a date like 2026-12-31 or a time like 2026-12-31 18:00", v)
	}
	if policy.IsDate(v) {
		return t.AddDate(0, 0, 1), nil
	}
	return t, nil
}

func expiry(t time.Time) string {
	if t.IsZero() {
		return "never expiring"
	}
	return "expiring " + chinaTime(t)
}

func chinaTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(policy.ChinaTime).Format(policy.ChinaLayout)
}

// printKeys writes the keys as a table for people, times in China time.
func printKeys(w io.Writer, ks []healthcode.APIKey, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tREGION\tKINDS\tCREATED\tEXPIRES\tREVOKED\tSTATE")
	for _, k := range ks {
		kinds := strings.Join(k.Kinds, ",")
		if kinds == "" {
			kinds = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, strings.ReplaceAll(k.Name, "\t", " "), k.Role, k.Region,
			kinds, chinaTime(k.CreatedAt), chinaTime(k.ExpiresAt), chinaTime(k.RevokedAt), k.State(now))
	}
	return tw.Flush()
}

// keyJSON is a key as `keys list --json` prints it.
type keyJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Region    string     `json:"region"`
	Kinds     []string   `json:"kinds"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"` // null: never
	RevokedAt *time.Time `json:"revoked_at"` // null: not revoked
	State     string     `json:"state"`      // active, expired or revoked
}

func printKeysJSON(w io.Writer, ks []healthcode.APIKey, now time.Time) error {
	out := make([]keyJSON, len(ks))
	for i, k := range ks {
		out[i] = keyJSON{ID: k.ID, Name: k.Name, Role: string(k.Role), Region: k.Region, Kinds: k.Kinds,
			CreatedAt: k.CreatedAt.In(policy.ChinaTime), ExpiresAt: orNil(k.ExpiresAt), RevokedAt: orNil(k.RevokedAt), State: k.State(now)}
		if out[i].Kinds == nil {
			out[i].Kinds = []string{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// orNil is t in China time, or nil for no time.
func orNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.In(policy.ChinaTime)
	return &t
}

// splitList reads "a, b,c" as [a b c].
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
