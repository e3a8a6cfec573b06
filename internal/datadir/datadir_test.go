package datadir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestEnsureCreatesPrivateAndRefusesOpenDirectories(t *testing.T) {
	base := t.TempDir() // 0755, as mkdir(1) or systemd's StateDirectory make one
	tests := []struct {
		name    string
		dir     string
		mode    os.FileMode // 0: do not create
		refused bool
	}{
		{"missing, with a missing parent", filepath.Join(base, "new", "data"), 0, false},
		{"existing private", filepath.Join(base, "private"), 0o700, false},
		{"existing, group and others may list", filepath.Join(base, "listed"), 0o755, true},
		{"existing, group may write", filepath.Join(base, "group"), 0o770, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mode != 0 {
				if err := os.Mkdir(tt.dir, tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(tt.dir, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			err := Ensure(tt.dir)
			if tt.refused {
				if err == nil || !strings.Contains(err.Error(), tt.dir) || !strings.Contains(err.Error(), "chmod 700") {
					t.Errorf("Ensure = %v, want a refusal naming %s and the fix", err, tt.dir)
				}
				if got := mode(t, tt.dir); got != tt.mode {
					t.Errorf("a refused directory's mode changed to %04o", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := mode(t, tt.dir); got != 0o700 {
				t.Errorf("mode %04o, want 0700", got)
			}
		})
	}
}

// TestReadOnlyIsReportedEvenToRoot: the tests run as root in CI, who may
// write whatever the mode says, so the mode itself is the check.
func TestReadOnlyIsReportedEvenToRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if err := Writable(dir); err == nil || !strings.Contains(err.Error(), dir+" is read-only") {
		t.Errorf("Writable(0500 directory) = %v, want it named read-only", err)
	}

	file := filepath.Join(t.TempDir(), "healthcode.db")
	if err := os.WriteFile(file, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := DataFile(file); err == nil || !strings.Contains(err.Error(), file+" is read-only") {
		t.Errorf("DataFile(0400 file) = %v, want it named read-only", err)
	}
}

func TestDataFileTakesGroupAndOtherBitsOff(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "healthcode.db")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := DataFile(file); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, file); got != 0o600 {
		t.Errorf("mode %04o, want 0600", got)
	}
	if err := DataFile(filepath.Join(dir, "healthcode.db-wal")); err != nil {
		t.Errorf("a missing file: %v, want nil", err)
	}
	if err := Writable(dir); err != nil {
		t.Errorf("Writable(a writable directory) = %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("Writable left files behind: %v %v", entries, err)
	}
}
