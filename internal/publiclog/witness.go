package publiclog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Extends checks, as a witness does, that the head next is a later state
// of the log whose head prev was seen before: both signed by vkey, next no
// smaller, and proof (a consistency proof from prev's size to next's)
// shows prev's tree is a prefix of next's. It returns next's tree. prev
// nil is a first sight: only next's signature is checked.
func Extends(prev, next []byte, vkey string, proof tlog.TreeProof) (tlog.Tree, error) {
	cur, err := OpenHead(next, vkey)
	if err != nil {
		return tlog.Tree{}, err
	}
	if prev == nil {
		return cur, nil
	}
	old, err := OpenHead(prev, vkey)
	if err != nil {
		return cur, fmt.Errorf("the head seen before: %w", err)
	}
	switch {
	case cur.N < old.N:
		return cur, fmt.Errorf("the log shrank from %d entries to %d", old.N, cur.N)
	case cur.N == old.N && cur.Hash != old.Hash:
		return cur, fmt.Errorf("two heads of size %d with different roots: the log was forked or rewritten", cur.N)
	case old.N == 0 || cur.N == old.N:
		return cur, nil
	}
	if err := tlog.CheckTree(proof, cur.N, cur.Hash, old.N, old.Hash); err != nil {
		return cur, fmt.Errorf("the head of size %d does not extend the one of size %d seen before: "+
			"the log was rewritten (%v)", cur.N, old.N, err)
	}
	return cur, nil
}
