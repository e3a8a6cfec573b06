package pages

import (
	"testing"

	"healthcode/internal/langcheck"
)

// TestCatalogueKeysAreGivenOnce: a key of another catalogue file that
// catalogue already holds would be silently dropped.
func TestCatalogueKeysAreGivenOnce(t *testing.T) {
	for _, file := range []map[string][2]string{wordsCatalogue, historyCatalogue, workflowCatalogue, officialsCatalogue, passesCatalogue, federationCatalogue} {
		for k, v := range file {
			if catalogue[k] != v {
				t.Errorf("%s is given twice: %q and %q", k, catalogue[k], v)
			}
		}
	}
}

// TestCatalogueSpeaksEachLanguage: the Chinese of each page message has
// no English words, the English no Chinese, but for the language switch,
// which names the other language in itself.
func TestCatalogueSpeaksEachLanguage(t *testing.T) {
	for k, m := range catalogue {
		if k == "lang.switch" || k == "lang.other" {
			continue
		}
		if w := langcheck.Latin(m[0], langcheck.Tokens); len(w) > 0 {
			t.Errorf("%s: Chinese %q keeps English %q", k, m[0], w)
		}
		if h := langcheck.Han(m[1]); len(h) > 0 {
			t.Errorf("%s: English %q holds Chinese %q", k, m[1], h)
		}
	}
}
