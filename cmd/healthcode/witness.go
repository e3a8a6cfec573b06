package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode/internal/publiclog"
)

// witnessState is what a witness keeps between runs: the log it watches,
// the key pinned at first sight, and the last head it checked.
type witnessState struct {
	URL  string `json:"url"`
	Key  string `json:"key"`
	Head string `json:"head"`
}

// logWitness runs "healthcode log witness URL": it fetches the region's
// signed head, checks it extends the head kept in the state file (a
// consistency proof from the server, checked here), and keeps it.
func logWitness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log witness", stderr)
	state := fs.String("state", "log-witness.json", "the `FILE` keeping the key and the last head seen; made at the first run")
	key := fs.String("key", "", "the log's verifier `KEY`, pinned at the first run; empty: the one the server serves then (trust on first use)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: healthcode log witness URL [--state FILE] [--key VKEY]")
	}
	base := strings.TrimSuffix(rest[0], "/")
	st, err := readWitnessState(*state, base)
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 30 * time.Second}
	if st.Key == "" {
		if st.Key = *key; st.Key == "" {
			b, err := fetch(ctx, c, base+"/api/v1/log/key")
			if err != nil {
				return err
			}
			st.Key = strings.TrimSpace(string(b))
			fmt.Fprintf(stdout, "pinned the log's key %s: compare it with one published elsewhere\n", st.Key)
		}
	}
	next, err := fetch(ctx, c, base+"/api/v1/log/head")
	if err != nil {
		return err
	}
	proof, err := witnessProof(ctx, c, base, st, next)
	if err != nil {
		return err
	}
	var prev []byte
	if st.Head != "" {
		prev = []byte(st.Head)
	}
	tree, err := publiclog.Extends(prev, next, st.Key, proof)
	if err != nil {
		return fmt.Errorf("log witness %s: %w", base, err)
	}
	st.Head = string(next)
	if err := writeWitnessState(*state, st); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: head of %d entries, root %s", base, tree.N, tree.Hash)
	if prev != nil {
		if old, err := publiclog.OpenHead(prev, st.Key); err == nil && old == tree {
			fmt.Fprint(stdout, ", the same as the head seen before")
		} else {
			fmt.Fprint(stdout, ", extending the head seen before")
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// witnessProof fetches the consistency proof from the kept head's size to
// next's, when both are signed and next is larger; otherwise none is
// needed (Extends decides what the sizes mean).
func witnessProof(ctx context.Context, c *http.Client, base string, st *witnessState, next []byte) (tlog.TreeProof, error) {
	if st.Head == "" {
		return nil, nil
	}
	old, err1 := publiclog.OpenHead([]byte(st.Head), st.Key)
	cur, err2 := publiclog.OpenHead(next, st.Key)
	if err1 != nil || err2 != nil || old.N == 0 || cur.N <= old.N {
		return nil, nil
	}
	b, err := fetch(ctx, c, fmt.Sprintf("%s/api/v1/log/proof/consistency?from=%d&to=%d", base, old.N, cur.N))
	if err != nil {
		return nil, err
	}
	var p struct{ Hashes []tlog.Hash }
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return p.Hashes, nil
}

func fetch(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	if _, err := url.ParseRequestURI(u); err != nil {
		return nil, fmt.Errorf("log witness: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("log witness: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("log witness: GET %s: %w", u, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("log witness: GET %s: %s", u, res.Status)
	}
	return b, nil
}

func readWitnessState(path, base string) (*witnessState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &witnessState{URL: base}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	var st witnessState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("witness state %s: %w", path, err)
	}
	if st.URL != base {
		return nil, fmt.Errorf("witness state %s watches %s, not %s: name another --state", path, st.URL, base)
	}
	return &st, nil
}

// writeWitnessState replaces the state file whole, so a run cut short
// leaves the previous state.
func writeWitnessState(path string, st *witnessState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	return os.Rename(tmp, path)
}
