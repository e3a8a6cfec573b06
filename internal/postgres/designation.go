package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
)

// stayersQuery reads the partial index facts_stays for one area, already
// in person order (TestDesignationQueriesUseIndexes).
const stayersQuery = `SELECT DISTINCT person_id FROM facts
	WHERE kind = 'area_stay' AND body->>'level' = '' AND body->>'area' = $1 ORDER BY person_id`

func (r reader) StayerIDs(ctx context.Context, area string) ([]int64, error) {
	rows, err := r.q.Query(ctx, stayersQuery, area)
	if err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	return ids, nil
}

const designationsQuery = `SELECT area, level, from_at, to_at, source, source_ref, author, recorded_at
	FROM designations WHERE area = ANY($1) ORDER BY id`

func (r reader) Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	rows, err := r.q.Query(ctx, designationsQuery, areas)
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	var ds []healthcode.Designation
	var d healthcode.Designation
	var to *time.Time
	_, err = pgx.ForEachRow(rows, []any{&d.Area, &d.Level, &d.From, &to, &d.Source, &d.SourceRef, &d.Author,
		&d.RecordedAt}, func() error {
		d.To = time.Time{}
		if to != nil {
			d.To = *to
		}
		ds = append(ds, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	return ds, nil
}

// Areas are locked with transaction-scoped advisory locks, in the order of
// their keys so that lockers of several areas cannot deadlock: shared by
// transactions reading an area's designations, exclusive by the one adding
// some. The class keeps the keys apart from other advisory locks.
const (
	areaLocks = `SELECT %s(1095, k) FROM (SELECT DISTINCT hashtext(a) AS k FROM unnest($1::text[]) a ORDER BY k) s`
)

func (t *tx) lockAreas(ctx context.Context, fn string, areas []string) error {
	_, err := t.exec(ctx, "lock areas", fmt.Sprintf(areaLocks, fn), areas)
	return err
}

// Designations locks the areas shared, then reads.
func (t *tx) Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	if err := t.lockAreas(ctx, "pg_advisory_xact_lock_shared", areas); err != nil {
		return nil, err
	}
	return t.reader.Designations(ctx, areas)
}

func (t *tx) AddDesignations(ctx context.Context, ds []*healthcode.Designation) (int, error) {
	n := len(ds)
	if n == 0 {
		return 0, nil
	}
	var (
		areas, levels, sources, refs, authors = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		froms, recorded                       = make([]time.Time, n), make([]time.Time, n)
		tos                                   = make([]*time.Time, n)
	)
	for i, d := range ds {
		areas[i], levels[i], sources[i], refs[i], authors[i] = d.Area, string(d.Level), d.Source, d.SourceRef, d.Author
		froms[i], recorded[i], tos[i] = d.From, d.RecordedAt, nullTime(d.To)
	}
	if err := t.lockAreas(ctx, "pg_advisory_xact_lock", areas); err != nil {
		return 0, err
	}
	// ON CONFLICT cannot skip a row that conflicts with another row of the
	// same statement, so DISTINCT ON keeps each record's first.
	tag, err := t.exec(ctx, "add designations", `INSERT INTO designations (area, level, from_at, to_at, source,
		source_ref, author, recorded_at)
		SELECT DISTINCT ON (source, source_ref) area, level, from_at, to_at, source, source_ref, author, recorded_at
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
			$8::timestamptz[]) WITH ORDINALITY
			AS u (area, level, from_at, to_at, source, source_ref, author, recorded_at, ord)
		ORDER BY source, source_ref, ord
		ON CONFLICT (source, source_ref) DO NOTHING`,
		areas, levels, froms, tos, sources, refs, authors, recorded)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
