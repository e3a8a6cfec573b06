package healthqr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// fixedKey returns a deterministic key, so that tokens and their QR codes
// are the same in every run.
func fixedKey(issuer string, seed byte) Key {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return Key{Issuer: issuer, Private: priv, ValidFrom: t0, ValidTo: t0.AddDate(1, 0, 0)}
}

// testToken returns a fixed, valid token.
func testToken(t testing.TB) string {
	t.Helper()
	kr := testRing(t, fixedKey(testIssuer, 7))
	return mustSign(t, kr, testClaims(t0.Add(time.Hour)))
}

// scan decodes the QR code in a PNG. With pure set it tells the reader the
// image holds nothing but an upright code, which skips the finder-pattern
// search.
func scan(t *testing.T, data []byte, pure bool) *gozxing.Result {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	var hints map[gozxing.DecodeHintType]any
	if pure {
		hints = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("QR decode: %v", err)
	}
	return res
}

func TestPNGScansBackToToken(t *testing.T) {
	tok := testToken(t)
	for _, size := range []int{49, 98, 200, 256, 512} {
		data, err := PNG(tok, size)
		if err != nil {
			t.Fatal(err)
		}
		res := scan(t, data, false)
		if got, want := res.GetText(), tok; got != want {
			t.Errorf("size %d: scanned %q, want %q", size, got, want)
		}
		meta := res.GetResultMetadata()
		if got, want := meta[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL], "M"; got != want {
			t.Errorf("size %d: error correction level %v, want %v", size, got, want)
		}
		if segs, ok := meta[gozxing.ResultMetadataType_BYTE_SEGMENTS]; ok {
			t.Errorf("size %d: symbol has byte-mode segments %v, want alphanumeric only", size, segs)
		}
	}
}

// TestPNGEncodesManyTokens checks the symbol contents for many tokens. It
// uses the reader's pure-barcode mode because gozxing's finder-pattern
// search misses about 1 in 100 synthetic codes from either candidate
// encoder (the same codes decode in pure mode), which would make a random
// sample flaky.
func TestPNGEncodesManyTokens(t *testing.T) {
	kr := testRing(t, fixedKey(testIssuer, 1))
	for i := range 50 {
		c := testClaims(t0.Add(time.Duration(i) * time.Minute))
		c.CodeID = CodeID{byte(i)}
		tok := mustSign(t, kr, c)
		data, err := PNG(tok, 250)
		if err != nil {
			t.Fatal(err)
		}
		if got := scan(t, data, true).GetText(); got != tok {
			t.Fatalf("scanned %q, want %q", got, tok)
		}
	}
}

func TestPNGHasRequestedSize(t *testing.T) {
	tok := testToken(t)
	tests := []struct{ size, want int }{
		{256, 256},
		{49, 49},
		{300, 300},
		{10, 49}, // raised to one pixel per module
	}
	for _, tt := range tests {
		data, err := PNG(tok, tt.size)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != tt.want || cfg.Height != tt.want {
			t.Errorf("PNG(size %d) is %dx%d, want %dx%d", tt.size, cfg.Width, cfg.Height, tt.want, tt.want)
		}
	}
}

func TestPNGKeepsQuietZone(t *testing.T) {
	data, err := PNG(testToken(t), 256) // 5 px per module, 3 px extra
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	border := 4 * 5
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			inside := x >= border && y >= border && x < b.Max.X-border && y < b.Max.Y-border
			if r, _, _, _ := img.At(x, y).RGBA(); !inside && r == 0 {
				t.Fatalf("dark pixel at (%d, %d) inside the quiet zone", x, y)
			}
		}
	}
}

func TestQRRejectsBadInput(t *testing.T) {
	tok := testToken(t)
	tests := []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"PNG size 0", func() ([]byte, error) { return PNG(tok, 0) }},
		{"PNG negative size", func() ([]byte, error) { return PNG(tok, -5) }},
		{"PNG empty token", func() ([]byte, error) { return PNG("", 100) }},
		{"SVG empty token", func() ([]byte, error) { return SVG("") }},
		{"SVG too long for QR", func() ([]byte, error) { return SVG(strings.Repeat("A", 5000)) }},
	}
	for _, tt := range tests {
		if _, err := tt.f(); err == nil {
			t.Errorf("%s: succeeded, want error", tt.name)
		}
	}
}

func TestQRSymbolIsVersion6(t *testing.T) {
	// 145 alphanumeric characters fit version 6-M (41x41, up to 180
	// characters); byte mode would need version 7 (45x45).
	m, err := modules(testToken(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m), 41; got != want {
		t.Errorf("symbol is %d modules wide, want %d", got, want)
	}
}

// svgDoc is the part of the SVG the tests check.
type svgDoc struct {
	XMLName        xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Paths          []struct {
		D string `xml:"d,attr"`
	} `xml:"path"`
}

func TestSVGIsWellFormedWithOnePath(t *testing.T) {
	tok := testToken(t)
	data, err := SVG(tok)
	if err != nil {
		t.Fatal(err)
	}
	// Every token must parse: well-formed XML.
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, data)
		}
	}
	var doc svgDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := doc.ViewBox, "0 0 49 49"; got != want {
		t.Errorf("viewBox = %q, want %q", got, want)
	}
	if got, want := doc.ShapeRendering, "crispEdges"; got != want {
		t.Errorf("shape-rendering = %q, want %q", got, want)
	}
	if got, want := len(doc.Paths), 1; got != want {
		t.Fatalf("%d paths, want %d", got, want)
	}
	if !strings.HasPrefix(doc.Paths[0].D, "M4 4h7v1h-7z") {
		t.Errorf("path starts %.20q, want the top row of the finder pattern at (4, 4)", doc.Paths[0].D)
	}
}

func TestSVGMatchesPNGModules(t *testing.T) {
	tok := testToken(t)
	data, err := SVG(tok)
	if err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	// Rasterise the path (runs "M x y h n v1 h-n z") at one pixel per module.
	svgDark := map[image.Point]bool{}
	for _, seg := range strings.Split(strings.TrimSuffix(doc.Paths[0].D, "z"), "z") {
		var x, y, n, n2 int
		if _, err := fmt.Sscanf(seg, "M%d %dh%dv1h-%d", &x, &y, &n, &n2); err != nil || n != n2 {
			t.Fatalf("bad path segment %q: %v", seg, err)
		}
		for i := range n {
			svgDark[image.Pt(x+i, y)] = true
		}
	}
	p, err := PNG(tok, 49)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	for y := range 49 {
		for x := range 49 {
			r, _, _, _ := img.At(x, y).RGBA()
			if got, want := svgDark[image.Pt(x, y)], r == 0; got != want {
				t.Fatalf("module (%d, %d): SVG dark %v, PNG dark %v", x, y, got, want)
			}
		}
	}
}
