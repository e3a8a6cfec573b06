// Command qrvideo writes a Y4M video of a token's QR code, for Chromium's
// fake camera (--use-file-for-fake-video-capture) in the browser tests:
// the checkpoint page then scans a real, fresh code through getUserMedia.
//
//	qrvideo TOKEN OUT.y4m
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"

	"healthcode/healthqr"
)

// The frame: VGA, the QR centred on white, as a phone held up to a camera.
const (
	width, height = 640, 480
	qrSize        = 400
	frames        = 10 // Chromium loops the file
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: qrvideo TOKEN OUT.y4m")
		os.Exit(2)
	}
	if err := write(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "qrvideo:", err)
		os.Exit(1)
	}
}

func write(token, out string) error {
	b, err := healthqr.PNG(token, qrSize)
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decode QR image: %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", width, height)
	luma := lumaPlane(img)
	chroma := bytes.Repeat([]byte{128}, width*height/4) // grey: no colour
	for range frames {
		w.WriteString("FRAME\n")
		w.Write(luma)
		w.Write(chroma)
		w.Write(chroma)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// lumaPlane draws img centred on a white frame and returns its Y plane.
func lumaPlane(img image.Image) []byte {
	y := bytes.Repeat([]byte{255}, width*height)
	bounds := img.Bounds()
	ox, oy := (width-bounds.Dx())/2, (height-bounds.Dy())/2
	for py := bounds.Min.Y; py < bounds.Max.Y; py++ {
		for px := bounds.Min.X; px < bounds.Max.X; px++ {
			r, g, b, _ := img.At(px, py).RGBA()
			lum := (299*r + 587*g + 114*b) / 1000 >> 8
			y[(oy+py-bounds.Min.Y)*width+ox+px-bounds.Min.X] = byte(lum)
		}
	}
	return y
}
