package ingest

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestDocNamesEveryColumn reads the column tables of doc.go, the contract
// providers read, and checks they list exactly the decoder's columns, with
// the same required flags, kind by kind.
func TestDocNamesEveryColumn(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		name     string
		required bool
	}
	var common []col
	documented := map[string][]col{}
	section, current := "", ""
	for line := range strings.Lines(string(src)) {
		line = strings.TrimSuffix(line, "\n")
		if h, ok := strings.CutPrefix(line, "// # "); ok {
			section = h
			continue
		}
		rest, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		isFlag := func(i int) bool { return len(f) > i && (f[i] == "required" || f[i] == "optional") }
		switch {
		case section == "Columns of every person kind" && isFlag(1):
			common = append(common, col{f[0], f[1] == "required"})
		case section == "Columns per kind" && isFlag(2) && !strings.HasPrefix(rest, " "):
			current = f[0]
			documented[current] = append(documented[current], col{f[1], f[2] == "required"})
		case section == "Columns per kind" && isFlag(1) && strings.HasPrefix(rest, " "):
			documented[current] = append(documented[current], col{f[0], f[1] == "required"})
		}
	}
	for _, k := range kinds {
		want := documented[k.name]
		if k.fact != "" {
			want = slices.Concat(common, want)
		}
		var got []col
		for _, c := range k.columns {
			got = append(got, col{c.name, c.required})
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the decoder has columns %v, doc.go documents %v", k.name, got, want)
		}
		if !strings.Contains(string(src), "//\t"+k.name+" ") {
			t.Errorf("doc.go does not list kind %s", k.name)
		}
	}
	if len(documented) != len(kinds) {
		t.Errorf("doc.go documents %d kinds, the decoder has %d", len(documented), len(kinds))
	}
}
