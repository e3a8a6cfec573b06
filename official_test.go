package healthcode

import "testing"

func TestVisibleCountsOnlyWhatAReaderSees(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"   \t\n", 0},
		{"\u3000\u3000", 0},             // ideographic spaces
		{"\u200b\u200c\u200d\ufeff", 0}, // zero-width characters
		{"\x01\x7f", 0},
		{"流调", 2},
		{"a b", 2},
		{"流调\u200b\u200b", 2},
		{"核实，无接触史。", 8},
	}
	for _, tt := range tests {
		if got := Visible(tt.s); got != tt.want {
			t.Errorf("Visible(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
