package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
		"m/README":     {Data: []byte("ignored")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.SQL)
	}
	if want := "A,B"; strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestLoadRejectsBadSequences(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, "out of sequence"},
		{"duplicate", []string{"0001_a.sql", "0001_b.sql"}, "out of sequence"},
		{"starts at two", []string{"0002_a.sql"}, "out of sequence"},
		{"unnumbered", []string{"init.sql"}, "must start with a positive number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("x")}
			}
			_, err := Load(fsys, "m")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}
