package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthcode/internal/store/pgtest"
)

// modes maps each path under dir, relative to it, to its permission bits.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	got := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		got[rel] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// mustBePrivate fails unless every directory under dir is 0700 and every
// file 0600, and the files named are there.
func mustBePrivate(t *testing.T, dir string, files ...string) {
	t.Helper()
	got := modes(t, dir)
	for rel, perm := range got {
		want := fs.FileMode(0o600)
		if st, err := os.Stat(filepath.Join(dir, rel)); err == nil && st.IsDir() {
			want = 0o700
		}
		if perm != want {
			t.Errorf("%s has mode %04o, want %04o", rel, perm, want)
		}
	}
	for _, f := range files {
		if _, ok := got[f]; !ok {
			t.Errorf("no %s in the data directory; it holds %v", f, got)
		}
	}
}

// TestServeKeepsItsFilesPrivate: a first start makes the data directory
// 0700 and every file in it 0600, SQLite's -wal and -shm included.
func TestServeKeepsItsFilesPrivate(t *testing.T) {
	keys := []string{"secret.key", filepath.Join("keys", "signing-keys.json")}
	t.Run("sqlite", func(t *testing.T) {
		s := startServer(t)
		s.login(t, "13812345678") // a write, so the WAL is in use
		mustBePrivate(t, s.data, append(keys, "healthcode.db", "healthcode.db-wal", "healthcode.db-shm")...)
	})
	t.Run("postgres", func(t *testing.T) {
		s := startServer(t, "--db", pgtest.NewDatabase(t))
		s.login(t, "13812345678")
		mustBePrivate(t, s.data, keys...)
	})
}

// TestServeTightensTheDatabaseAnOlderVersionLeftOpen: versions before
// this one let SQLite create the database 0644, and a crash leaves -wal
// and -shm beside it; in the server's own private directory they are its
// files, so it takes the group and other bits off rather than refuse.
func TestServeTightensTheDatabaseAnOlderVersionLeftOpen(t *testing.T) {
	first := startServer(t)
	first.login(t, "13812345678")
	data := first.data
	stopped := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(stopped, os.DirFS(data)); err != nil {
		t.Fatal(err)
	}
	for rel := range modes(t, stopped) { // CopyFS made them 0755 and 0644
		mode := fs.FileMode(0o600)
		switch rel {
		case ".", "keys":
			mode = 0o700
		case "healthcode.db", "healthcode.db-wal", "healthcode.db-shm":
			mode = 0o644
		}
		if err := os.Chmod(filepath.Join(stopped, rel), mode); err != nil {
			t.Fatal(err)
		}
	}
	s := startServerIn(t, stopped)
	s.login(t, "13812345678")
	mustBePrivate(t, stopped, "healthcode.db", "healthcode.db-wal", "healthcode.db-shm")
}

// TestServeRefusesFilesItCannotKeepPrivateOrWrite goes through run, as
// root in CI: root writes whatever the mode bits say, so a read-only
// directory or file is found by its mode, before SQLite would open it
// read-only and fail at the first write.
func TestServeRefusesFilesItCannotKeepPrivateOrWrite(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, data string) []string // makes the data directory; returns extra flags
		want  []string                                 // in the error, with the path
	}{
		{"existing data directory open to others", func(t *testing.T, data string) []string {
			mkdir(t, data, 0o755)
			return nil
		}, []string{"mode 0755", "chmod 700"}},
		{"keys directory open to its group", func(t *testing.T, data string) []string {
			keys := filepath.Join(filepath.Dir(data), "keys")
			mkdir(t, keys, 0o750)
			return []string{"--keys", keys}
		}, []string{"keys", "mode 0750"}},
		{"read-only data directory", func(t *testing.T, data string) []string {
			mkdir(t, data, 0o500)
			return nil
		}, []string{"is read-only (mode 0500)"}},
		{"read-only database file", func(t *testing.T, data string) []string {
			mkdir(t, data, 0o700)
			write(t, filepath.Join(data, "healthcode.db"), 0o400)
			return nil
		}, []string{"healthcode.db is read-only (mode 0400)"}},
		{"identity key readable by others", func(t *testing.T, data string) []string {
			mkdir(t, data, 0o700)
			write(t, filepath.Join(data, "secret.key"), 0o644)
			return nil
		}, []string{"secret.key has mode 0644", "chmod 600"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			extra := tt.setup(t, data)
			t.Cleanup(func() { os.Chmod(data, 0o700) }) // so t.TempDir can remove it
			err := serveErr(t, append([]string{"--data", data}, extra...)...)
			if err == nil {
				t.Fatal("serve started")
			}
			msg := err.Error()
			if strings.Contains(msg, "readonly database") {
				t.Errorf("raw SQLite error: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) || !strings.Contains(msg, filepath.Dir(data)) {
					t.Errorf("error %q lacks %q or the path", msg, w)
				}
			}
		})
	}
}

// TestServeAcceptsAReadOnlyKeysDirectoryHoldingAValidKey: several servers
// may share one key directory, read-only once made.
func TestServeAcceptsAReadOnlyKeysDirectoryHoldingAValidKey(t *testing.T) {
	first := startServer(t)
	keys := filepath.Join(first.data, "keys")
	if err := os.Chmod(keys, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(keys, 0o700) })
	startServer(t, "--keys", keys).login(t, "13812345678")
}

// serveErr runs serve and returns its error; a server that starts
// instead is stopped and fails the test.
func serveErr(t *testing.T, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &startWatch{cancel: cancel}
	err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--dev"}, args...),
		func(string) string { return "" }, out, io.Discard)
	if out.started {
		t.Fatalf("serve %v started, want a refusal", args)
	}
	return err
}

// startWatch is a server's standard output that stops it once it speaks.
type startWatch struct {
	cancel  func()
	started bool
}

func (w *startWatch) Write(p []byte) (int, error) {
	w.started = true
	w.cancel()
	return len(p), nil
}

func mkdir(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
