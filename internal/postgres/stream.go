package postgres

import (
	"context"
	"fmt"

	"healthcode"
	"healthcode/internal/pager"
)

const personPageQuery = `SELECT ` + personColumns + personFrom + `WHERE p.id > $1 ORDER BY p.id LIMIT $2`

// EachPerson implements healthcode.Store: keyset pages straight on the pool, so
// a walk over everyone never holds the write lock or a long transaction.
func (db *DB) EachPerson(ctx context.Context, page int, fn func(*healthcode.Person, []healthcode.Fact) error) error {
	return pager.Walk(ctx, page, db.personPage, db.FactsOf, fn)
}

func (db *DB) personPage(ctx context.Context, after int64, n int) ([]*healthcode.Person, error) {
	rows, err := db.q.Query(ctx, personPageQuery, after, n)
	if err != nil {
		return nil, fmt.Errorf("persons after %d: %w", after, err)
	}
	ps, err := scanPersons(rows)
	if err != nil {
		return nil, fmt.Errorf("persons after %d: %w", after, err)
	}
	return ps, nil
}
