package store

import (
	"context"
	"fmt"

	"healthcode"
)

// stayersQuery reads the partial index facts_stays for one area, in
// person order (TestDesignationQueriesUseIndexes); its expressions are the
// index's, word for word, or the planner would not use it.
func stayersQuery(d *dialect) string {
	return `SELECT DISTINCT person_id FROM facts
	WHERE kind = 'area_stay' AND ` + fmt.Sprintf(d.jsonText, "body", "level") + ` = '' AND ` +
		fmt.Sprintf(d.jsonText, "body", "area") + ` = $1 ORDER BY person_id`
}

func designationsQuery(d *dialect) string {
	return `SELECT area, level, from_at, to_at, source, source_ref, author, recorded_at
	FROM designations WHERE ` + in(d, "area", "$1") + ` ORDER BY id`
}

var (
	stayers      = map[*dialect]string{sqliteDialect: stayersQuery(sqliteDialect), postgresDialect: stayersQuery(postgresDialect)}
	designations = map[*dialect]string{sqliteDialect: designationsQuery(sqliteDialect), postgresDialect: designationsQuery(postgresDialect)}
)

func (r reader) StayerIDs(ctx context.Context, area string) ([]int64, error) {
	rows, err := r.query(ctx, stayers[r.d], area)
	if err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	ids, err := collect(r.d, rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	return ids, nil
}

func (r reader) Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	rows, err := r.query(ctx, designations[r.d], r.d.arg(areas))
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	ds, err := collect(r.d, rows, func(row scanner) (healthcode.Designation, error) {
		var d healthcode.Designation
		err := row.Scan(&d.Area, &d.Level, timeCol{&d.From}, timeCol{&d.To}, &d.Source, &d.SourceRef, &d.Author,
			timeCol{&d.RecordedAt})
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	return ds, nil
}

// Designations, read through a transaction, first holds the areas
// (dialect.lockAreasShared) until the transaction ends.
func (t *tx) Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	if err := t.lockAreas(ctx, t.d.lockAreasShared, areas); err != nil {
		return nil, err
	}
	return t.reader.Designations(ctx, areas)
}

func (t *tx) lockAreas(ctx context.Context, query string, areas []string) error {
	if query == "" {
		return nil
	}
	_, err := t.exec(ctx, "lock areas", query, areas)
	return err
}

var designationCols = []column{{"ord", "bigint"}, {"area", "text"}, {"level", "text"}, {"from_at", "timestamptz"},
	{"to_at", "timestamptz"}, {"source", "text"}, {"source_ref", "text"}, {"author", "text"},
	{"recorded_at", "timestamptz"}}

// AddDesignations stores them in the order given. ON CONFLICT cannot be
// relied on to skip a row that conflicts with another row of the same
// statement, so each record's first is picked here.
func (t *tx) AddDesignations(ctx context.Context, ds []*healthcode.Designation) (int, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	areas := make([]string, len(ds))
	type ref struct{ source, ref string }
	seen := make(map[ref]bool, len(ds))
	vals := make([]any, 0, len(ds)*len(designationCols))
	for i, d := range ds {
		areas[i] = d.Area
		if seen[ref{d.Source, d.SourceRef}] {
			continue
		}
		seen[ref{d.Source, d.SourceRef}] = true
		vals = append(vals, int64(i), d.Area, string(d.Level), t.at(d.From), t.null(d.To), d.Source, d.SourceRef,
			d.Author, t.at(d.RecordedAt))
	}
	if err := t.lockAreas(ctx, t.d.lockAreas, areas); err != nil {
		return 0, err
	}
	n, err := t.bulk(ctx, designationCols, vals, func(rows string) string {
		return `WITH u (` + names(designationCols) + `) AS (` + rows + `)
		INSERT INTO designations (area, level, from_at, to_at, source, source_ref, author, recorded_at)
		SELECT area, level, from_at, to_at, source, source_ref, author, recorded_at FROM u WHERE true ORDER BY ord
		ON CONFLICT (source, source_ref) DO NOTHING`
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("add designations: %w", translate(t.d, err))
	}
	return int(n), nil
}
