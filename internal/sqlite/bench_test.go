package sqlite_test

import (
	"testing"

	"healthcode"
	"healthcode/internal/storetest"
)

// BenchmarkAddFacts is storetest.BenchAddFacts on SQLite: 100 000 lab
// results stored through Tx.AddFacts in transactions of 5000
// (store-rows/s), as internal/postgres measures it.
//
//	go test -run '^$' -bench AddFacts -benchtime 1x ./internal/sqlite/
func BenchmarkAddFacts(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		storetest.BenchAddFacts(b, func(b *testing.B) healthcode.Store { return open(b) })
	})
}
