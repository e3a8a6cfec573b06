package publiclog

import (
	"context"
	"encoding/binary"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// TileHeight is the height of the tiles the log serves: 2^8 = 256
// hashes a tile, as C2SP tlog-tiles fixes it.
const TileHeight = 8

// TilePath names tile t as C2SP tlog-tiles does: tile/<L>/<N>[.p/<W>]
// for W hashes of level 8·L, tile/entries/<N>[.p/<W>] for the entry
// bundle of W entries under the level-0 tile N, N in x/mod's groups of
// three digits (x001/234). t must have height 8.
func TilePath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if rest, ok := strings.CutPrefix(p, "data/"); ok {
		p = "entries/" + rest
	}
	return "tile/" + p
}

// parseTilePath reads TilePath's names back.
func parseTilePath(path string) (tlog.Tile, bool) {
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return tlog.Tile{}, false
	}
	if bundle, ok := strings.CutPrefix(rest, "entries/"); ok {
		rest = "data/" + bundle
	}
	t, err := tlog.ParseTilePath("tile/8/" + rest)
	return t, err == nil && TilePath(t) == path
}

// LogTile returns a tile of the latest tree by its C2SP tlog-tiles path
// (TilePath): a hash tile is tlog.ReadTileData's bytes, 32 a hash; an
// entry bundle holds each entry as a big-endian 16-bit length and its
// bytes. A client checks them with tlog.TileHashReader against a signed
// head. Anyone may call it. Errors: EINVALID for a path that names no
// tile, ENOTFOUND for a tile the latest head does not yet cover.
func (l *Log) LogTile(ctx context.Context, path string) ([]byte, error) {
	t, ok := parseTilePath(path)
	if !ok {
		return nil, healthcode.Errorf(healthcode.EINVALID, "Not a tile path of C2SP tlog-tiles: %q.", path)
	}
	head, err := l.store.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	if !covered(t, head.Size) {
		return nil, healthcode.Errorf(healthcode.ENOTFOUND, "The latest head, of size %d, does not cover tile %s.", head.Size, path)
	}
	if t.L >= 0 {
		return tlog.ReadTileData(t, hashReader{ctx, l.store})
	}
	recs, err := l.store.LogEntries(ctx, t.N<<TileHeight, t.W)
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, r := range recs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Body)))
		b = append(b, r.Body...)
	}
	return b, nil
}

// covered reports whether every hash of tile t is in the tree of size
// leaves: its last one stands for the leaves up to (N·2^H + W)·2^(H·L).
// It divides size down instead of shifting N up, since N comes from the
// request's path and N·2^H overflows for a large one.
func covered(t tlog.Tile, size int64) bool {
	level := max(t.L, 0) * t.H
	if level > 62 || t.N < 0 {
		return false
	}
	hashes := size >> level // of level level in the tree
	if int64(t.W) > hashes {
		return false
	}
	return t.N <= (hashes-int64(t.W))>>t.H
}
