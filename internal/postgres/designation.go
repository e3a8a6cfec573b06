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
