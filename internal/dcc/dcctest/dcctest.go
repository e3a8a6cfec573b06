// Package dcctest gives tests real EU certificates: cases of the public EU
// test data (../shared/fixtures/dgc-testdata beside the repository), with
// the trust list and the clock each is valid with.
package dcctest

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"healthcode/internal/dcc"
)

// A Case is one certificate of the test data.
type Case struct {
	QR      string    // the HC1: text
	Cert    []byte    // the DER of the DSC that signed it
	Country string    // the folder's country
	At      time.Time // VALIDATIONCLOCK: when it is valid
}

// Load reads the case at path below the test data (e.g.
// "DE/2DCode/raw/1.json"), skipping the test when the data is absent.
func Load(tb testing.TB, path string) Case {
	tb.Helper()
	root := Root(tb)
	data, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		tb.Fatal(err)
	}
	var raw struct {
		PREFIX  string
		TESTCTX struct{ CERTIFICATE, VALIDATIONCLOCK string }
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	der, err := base64.StdEncoding.DecodeString(raw.TESTCTX.CERTIFICATE)
	if err != nil {
		tb.Fatalf("%s: certificate: %v", path, err)
	}
	at, err := time.Parse(time.RFC3339, raw.TESTCTX.VALIDATIONCLOCK)
	if err != nil {
		tb.Fatalf("%s: clock: %v", path, err)
	}
	return Case{QR: raw.PREFIX, Cert: der, Country: filepath.ToSlash(path)[:2], At: at}
}

// Root is the test data's folder, found beside the repository that holds
// the working directory; the test is skipped without it.
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
	root := filepath.Join(dir, "..", "shared", "fixtures", "dgc-testdata")
	if _, err := os.Stat(root); err != nil {
		tb.Skipf("no EU test data at %s: %v", root, err)
	}
	return root
}

// TrustListJSON is the case's DSC as a trust list in the EU gateway's
// format, as --dcc-trust and healthcode verify --trust read it.
func (c Case) TrustListJSON() []byte {
	b, err := json.Marshal([]map[string]any{{"kid": dcc.Kid(c.Cert), "country": c.Country, "rawData": c.Cert}})
	if err != nil {
		panic(err) // bytes and strings always marshal
	}
	return b
}

// TrustList is the case's DSC as a trust list.
func (c Case) TrustList(tb testing.TB) dcc.TrustList {
	tb.Helper()
	tl, err := dcc.ParseTrustList(c.TrustListJSON())
	if err != nil {
		tb.Fatal(err)
	}
	return tl
}
