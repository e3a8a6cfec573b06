package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"healthcode"
)

// stayersQuery reads the partial index facts_stays for one area, in
// person order (TestDesignationQueriesUseIndexes); its expressions are the
// index's, word for word, or the planner would not use it.
const stayersQuery = `SELECT DISTINCT person_id FROM facts
	WHERE kind = 'area_stay' AND json_extract(body, '$.level') = '' AND json_extract(body, '$.area') = ?
	ORDER BY person_id`

func (r reader) StayerIDs(ctx context.Context, area string) ([]int64, error) {
	rows, err := r.query(ctx, stayersQuery, area)
	if err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("stayer ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stayer ids: %w", err)
	}
	return ids, nil
}

const designationsQuery = `SELECT area, level, from_at, to_at, source, source_ref, author, recorded_at
	FROM designations WHERE area IN (SELECT value FROM json_each(?)) ORDER BY id`

func (r reader) Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(areas)
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	rows, err := r.query(ctx, designationsQuery, string(list))
	if err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	defer rows.Close()
	var ds []healthcode.Designation
	for rows.Next() {
		var d healthcode.Designation
		var from, recorded int64
		var to sql.NullInt64
		if err := rows.Scan(&d.Area, &d.Level, &from, &to, &d.Source, &d.SourceRef, &d.Author, &recorded); err != nil {
			return nil, fmt.Errorf("designations: %w", err)
		}
		d.From, d.RecordedAt = fromMicro(from), fromMicro(recorded)
		if to.Valid {
			d.To = fromMicro(to.Int64)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("designations: %w", err)
	}
	return ds, nil
}

// AddDesignations inserts one row at a time: designations come by the
// dozen, not the million.
func (t *tx) AddDesignations(ctx context.Context, ds []*healthcode.Designation) (int, error) {
	added := 0
	for _, d := range ds {
		res, err := t.exec(ctx, "add designations", `INSERT INTO designations (area, level, from_at, to_at, source,
			source_ref, author, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_ref) DO NOTHING`,
			d.Area, string(d.Level), micro(d.From), nullMicro(d.To), d.Source, d.SourceRef, d.Author, micro(d.RecordedAt))
		if err != nil {
			return added, err
		}
		if n, err := res.RowsAffected(); err == nil {
			added += int(n)
		}
	}
	return added, nil
}

// LockAll needs no lock of its own, as LockPerson: the transaction holds
// the database's one writer.
func (t *tx) LockAll(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	return t.LockPersons(ctx, ids)
}
