// Package migrate reads the stores' numbered SQL migrations. Each dialect
// applies its own sequence; this package only finds it, in order, and
// refuses gaps and duplicates so that two developers' migrations can
// never both claim one number, and refuses a number that has a variant
// for one dialect only, so that the dialects never drift apart again.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one forward-only schema step.
type Migration struct {
	Version int
	// Name is the file's name without its dialect, NNNN_name.sql: the
	// same for every dialect, and what schema_migrations records.
	Name string
	SQL  string
}

// file is one migration file's parsed name.
type file struct {
	version       int
	name, dialect string // dialect is "" for SQL both dialects run
	path          string
}

// Load returns dialect's migrations in dir of fsys, sorted by version.
// A file is NNNN_name.sql when every dialect runs it, or
// NNNN_name.DIALECT.sql for one dialect; a number with variants must have
// one for every dialect found in dir, under one name, and no plain file.
// Versions must run 1, 2, 3… with no gap or duplicate.
func Load(fsys fs.FS, dir, dialect string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int][]file{}
	dialects := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		f, err := parse(e.Name())
		if err != nil {
			return nil, err
		}
		f.path = path.Join(dir, e.Name())
		byVersion[f.version] = append(byVersion[f.version], f)
		if f.dialect != "" {
			dialects[f.dialect] = true
		}
	}
	var ms []Migration
	for v, files := range byVersion {
		f, err := pick(files, dialect, dialects)
		if err != nil {
			return nil, fmt.Errorf("migration %04d: %w", v, err)
		}
		b, err := fs.ReadFile(fsys, f.path)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", f.path, err)
		}
		ms = append(ms, Migration{Version: v, Name: fmt.Sprintf("%04d_%s.sql", v, f.name), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d out of sequence, want %d (gap or duplicate)", m.Name, m.Version, i+1)
		}
	}
	return ms, nil
}

// parse reads NNNN_name.sql or NNNN_name.dialect.sql.
func parse(base string) (file, error) {
	num, rest, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return file{}, fmt.Errorf("migration %s: name must start with a positive number and an underscore", base)
	}
	name, dialect, _ := strings.Cut(rest, ".")
	if name == "" || strings.Contains(dialect, ".") {
		return file{}, fmt.Errorf("migration %s: want NNNN_name.sql or NNNN_name.dialect.sql", base)
	}
	return file{version: v, name: name, dialect: dialect}, nil
}

// pick chooses dialect's file among the files of one version.
func pick(files []file, dialect string, dialects map[string]bool) (file, error) {
	if len(files) == 1 && files[0].dialect == "" {
		return files[0], nil
	}
	seen := map[string]bool{}
	var mine *file
	for i, f := range files {
		switch {
		case f.dialect == "":
			return file{}, fmt.Errorf("%s.sql beside another file of its number (duplicate)", f.name)
		case seen[f.dialect]:
			return file{}, fmt.Errorf("two %s variants (duplicate)", f.dialect)
		case f.name != files[0].name:
			return file{}, fmt.Errorf("variants named %s and %s", files[0].name, f.name)
		}
		seen[f.dialect] = true
		if f.dialect == dialect {
			mine = &files[i]
		}
	}
	for d := range dialects {
		if !seen[d] {
			return file{}, fmt.Errorf("%s has a variant for some dialects but none for %s", files[0].name, d)
		}
	}
	if mine == nil {
		return file{}, fmt.Errorf("%s has no variant for %s", files[0].name, dialect)
	}
	return *mine, nil
}
