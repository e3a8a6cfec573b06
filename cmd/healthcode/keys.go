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
	if len(args) == 0 || args[0] != "create-checkpoint" {
		return fmt.Errorf("usage: healthcode keys create-checkpoint --name NAME [--region CODE]")
	}
	var name string
	c, err := parse("keys create-checkpoint", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the checkpoint's `NAME`, recorded as the source of its temperatures")
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
	key, k, err := svc.CreateAPIKey(ctx, name, healthcode.RoleCheckpoint, c.Region)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created checkpoint key %d %q for region %s; it is shown once:\n", k.ID, k.Name, k.Region)
	fmt.Fprintln(stdout, key)
	return nil
}
