package policy

import (
	"embed"
	"io/fs"
)

//go:embed packs/*.yaml
var embedded embed.FS

// packsFS holds the shipped packs, one NAME.yaml file each; tests may
// replace it.
var packsFS fs.FS = mustSub(embedded, "packs")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
