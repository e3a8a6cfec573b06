package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"healthcode"
)

func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	roles := map[string]healthcode.Role{"create-checkpoint": healthcode.RoleCheckpoint, "create-admin": healthcode.RoleAdmin}
	if len(args) == 0 || roles[args[0]] == "" {
		return fmt.Errorf("usage: healthcode keys create-checkpoint|create-admin --name NAME [--region CODE]")
	}
	role := roles[args[0]]
	var name string
	c, err := parse("keys "+args[0], args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the key's `NAME`: a checkpoint's is recorded as the source of its temperatures")
	})
	if err != nil {
		return err
	}
	store, _, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := openService(c, store, getenv, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	key, k, err := svc.CreateAPIKey(ctx, name, role, c.Region)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created %s key %d %q for region %s; it is shown once:\n", k.Role, k.ID, k.Name, k.Region)
	fmt.Fprintln(stdout, key)
	return nil
}
