package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"healthcode"
	"healthcode/internal/ingest"
)

func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	roles := map[string]healthcode.Role{"create-checkpoint": healthcode.RoleCheckpoint,
		"create-admin": healthcode.RoleAdmin, "create-feed": healthcode.RoleFeed}
	if len(args) == 0 || roles[args[0]] == "" {
		return fmt.Errorf("usage: healthcode keys create-checkpoint|create-admin|create-feed --name NAME [--kinds lab,…] [--region CODE]")
	}
	role := roles[args[0]]
	var name, kinds string
	c, err := parse("keys "+args[0], args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the key's `NAME`: recorded as the source of what it sends")
		if role == healthcode.RoleFeed {
			fs.StringVar(&kinds, "kinds", "", "the feed `KINDS` it may send, comma-separated: "+strings.Join(ingest.Kinds(), ", "))
		}
	})
	if err != nil {
		return err
	}
	store, _, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := openService(c, store, getenv, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	var key string
	var k *healthcode.APIKey
	if role == healthcode.RoleFeed {
		key, k, err = svc.CreateFeedKey(ctx, name, c.Region, splitList(kinds))
	} else {
		key, k, err = svc.CreateAPIKey(ctx, name, role, c.Region)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created %s key %d %q for region %s; it is shown once:\n", k.Role, k.ID, k.Name, k.Region)
	fmt.Fprintln(stdout, key)
	return nil
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
