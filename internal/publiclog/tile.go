package publiclog

import (
	"bytes"
	"context"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// TileHeight is the height of the tiles the log serves: 2^8 = 256
// hashes a tile, as the Go checksum database and C2SP tlog-tiles use.
const TileHeight = 8

// LogTile returns a tile of the latest tree, named by tlog's tile path:
// tile/8/L/NNN[.p/W] holds W hashes of level 8·L (tlog.ReadTileData's
// bytes, 32 a hash), tile/8/data/NNN[.p/W] the W entries under the level
// 0 tile of the same coordinates, each entry's bytes followed by a
// newline (entries are one line of JSON). A client reads them with
// tlog.TileHashReader, which checks every tile against a signed head.
// Anyone may call it. Errors: EINVALID for a path that is not a tile of
// height 8, ENOTFOUND for a tile the latest head does not yet cover.
func (l *Log) LogTile(ctx context.Context, path string) ([]byte, error) {
	t, err := tlog.ParseTilePath(path)
	if err != nil || t.H != TileHeight {
		return nil, healthcode.Errorf(healthcode.EINVALID, "Not a tile of height 8: %q.", path)
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
	var b bytes.Buffer
	for _, r := range recs {
		b.Write(r.Body)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// covered reports whether every hash of tile t is in the tree of size
// leaves: its last one stands for the leaves up to (N·2^H + W)·2^(H·L).
func covered(t tlog.Tile, size int64) bool {
	level := max(t.L, 0) * t.H
	if level > 40 { // beyond any log this will hold; no shift overflows
		return false
	}
	return (t.N<<t.H+int64(t.W))<<level <= size
}
