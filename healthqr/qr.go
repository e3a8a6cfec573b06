package healthqr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	// Encoder choice. Both candidates, rsc.io/qr v0.2.0 and skip2/go-qrcode,
	// put a token in QR alphanumeric mode (11 bits per 2 characters), so a
	// 145-character token fits a version 6 symbol (41x41) at level M, where
	// byte mode would need version 7 (45x45); TestQRSymbolIsVersion6 pins
	// this. The tie is broken by mask selection: skip2 scores all eight
	// masks with the ISO/IEC 18004 penalty rules and keeps the best, while
	// rsc.io/qr always uses mask 0 (its "TODO: Pick appropriate mask"),
	// which can leave large uniform areas that are harder to scan. We use
	// only skip2's module matrix and draw the PNG and SVG ourselves.
	qrcode "github.com/skip2/go-qrcode"
)

// quietZone is the white border, in modules, around the symbol (the
// minimum required by ISO/IEC 18004).
const quietZone = 4

// modules returns the QR symbol of text at error-correction level M as
// rows of dark (true) and light modules, without a quiet zone.
func modules(text string) ([][]bool, error) {
	if text == "" {
		return nil, errors.New("healthqr: empty QR content")
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("healthqr: qr: %w", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// PNG returns a size x size pixel, 1-bit PNG of the QR code of token, with
// a quiet zone of at least 4 modules. Modules are whole pixels; pixels left
// over after scaling widen the quiet zone. A size too small for one pixel
// per module is raised to that minimum (49 for a token).
func PNG(token string, size int) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("healthqr: png size %d is not positive", size)
	}
	m, err := modules(token)
	if err != nil {
		return nil, err
	}
	total := len(m) + 2*quietZone
	size = max(size, total)
	scale := size / total
	off := (size - len(m)*scale) / 2 // centre the symbol

	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for py := off + y*scale; py < off+(y+1)*scale; py++ {
				line := img.Pix[py*img.Stride:]
				for px := off + x*scale; px < off+(x+1)*scale; px++ {
					line[px] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("healthqr: png: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG returns an SVG image of the QR code of token. The viewBox is in
// module units and includes a 4-module quiet zone; a white rectangle fills
// the background and a single <path> draws the dark modules, with
// shape-rendering="crispEdges". The image scales to its container.
func SVG(token string) ([]byte, error) {
	m, err := modules(token)
	if err != nil {
		return nil, err
	}
	total := strconv.Itoa(len(m) + 2*quietZone)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + total + ` ` + total +
		`" shape-rendering="crispEdges">` + "\n")
	b.WriteString(`<rect width="` + total + `" height="` + total + `" fill="#fff"/>` + "\n")
	b.WriteString(`<path fill="#000" d="`)
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			// One rectangle per horizontal run of dark modules.
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/>` + "\n</svg>\n")
	return b.Bytes(), nil
}
