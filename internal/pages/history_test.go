package pages

import (
	"testing"

	"healthcode"
)

func TestAChangeIsShownByTheRoleThatMadeIt(t *testing.T) {
	viewer := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 5}
	tests := []struct {
		author string
		viewer *healthcode.Principal
		want   string
	}{
		{healthcode.AuthorSystem, viewer, "history.by.system"},
		{"account:5", viewer, "history.by.self"},
		{"account:6", viewer, "history.by.citizen"},
		{"account:5", nil, "history.by.citizen"},
		{"key:9", viewer, "history.by.staff"},
	}
	for _, tt := range tests {
		if got := authorRole(tt.author, tt.viewer); got != tt.want {
			t.Errorf("authorRole(%q) = %q, want %q", tt.author, got, tt.want)
		}
		if _, ok := catalogue[tt.want]; !ok {
			t.Errorf("%q is not in the catalogue", tt.want)
		}
	}
}
