package store

import (
	"context"
	"database/sql"
	"time"
)

// Queries are a dialect's queries, for the plan tests.
type Queries struct {
	Due, LockPersons, SkipLocked, LockAll, FactsOf, LockByIdentity, ByIdentity, Stayers, Designations string
	PendingLog, PersonsInRegion, PersonsInCommunities                                                 string
}

// QueriesOf returns db's queries.
func QueriesOf(db *DB) Queries {
	l := locks[db.d]
	return Queries{Due: dueQuery, LockPersons: l.persons, SkipLocked: l.skipLocked, LockAll: l.all,
		FactsOf: factsOf[db.d], LockByIdentity: l.identity, ByIdentity: l.byIdentity,
		Stayers: stayers[db.d], Designations: designations[db.d], PendingLog: pendingLogQuery,
		PersonsInRegion: personsInRegion, PersonsInCommunities: personsInCommunities}
}

// AddPendingQuery returns the statement AddPendingFacts runs for one row
// of pending facts, and its arguments.
func AddPendingQuery(db *DB, idHash []byte, text string, at time.Time, within string) (string, []any) {
	vals := []any{idHash, text, db.d.arg(at), db.d.arg(at), text, text, text, "{}", within}
	rows, args := db.d.rows(pendingCols, vals)
	return addPendingQuery(rows), args
}

// SQL is db's read pool.
func SQL(db *DB) *sql.DB { return db.read }

// Arg encodes a time argument as db's columns keep it.
func Arg(db *DB, t time.Time) any { return db.d.arg(t) }

// List encodes a list argument for db's in formats.
func List(db *DB, v any) any { return db.d.arg(v) }

// MigrateThrough applies the migrations of dialect ("sqlite" or
// "postgres") up to version last on db, as an older release did.
func MigrateThrough(ctx context.Context, db *sql.DB, dialect string, last int) error {
	d := sqliteDialect
	if dialect == "postgres" {
		d = postgresDialect
	}
	return migrateThrough(ctx, db, d, last)
}
