package store

import (
	"context"
	"fmt"

	"healthcode"
)

const releaseListColumns = `id, uploaded_by, point, division, uploaded_at, rows_count, released, sha256`

func scanReleaseList(row scanner) (healthcode.ReleaseList, error) {
	var l healthcode.ReleaseList
	err := row.Scan(&l.ID, &l.UploadedBy, &l.Point, &l.Division, timeCol{&l.UploadedAt}, &l.Rows, &l.Released, &l.SHA256)
	return l, err
}

// ReleaseLists matches divisions by their prefix: scope's RegionPrefix is
// digits only, so it holds no LIKE wildcard.
func (r reader) ReleaseLists(ctx context.Context, scope string, n int) ([]healthcode.ReleaseList, error) {
	rows, err := r.query(ctx, `SELECT `+releaseListColumns+` FROM release_lists WHERE division LIKE $1
		ORDER BY id DESC LIMIT $2`, healthcode.RegionPrefix(scope)+"%", n)
	if err != nil {
		return nil, fmt.Errorf("release lists: %w", translate(r.d, err))
	}
	ls, err := collect(r.d, rows, scanReleaseList)
	if err != nil {
		return nil, fmt.Errorf("release lists: %w", translate(r.d, err))
	}
	return ls, nil
}

func (r reader) ReleaseListByFile(ctx context.Context, division string, sha256 []byte) (*healthcode.ReleaseList, error) {
	l, err := scanReleaseList(r.queryRow(ctx, `SELECT `+releaseListColumns+` FROM release_lists
		WHERE division = $1 AND sha256 = $2`, division, sha256))
	if err != nil {
		return nil, fmt.Errorf("release list by file: %w", translate(r.d, err))
	}
	return &l, nil
}

func (r reader) CreditRecords(ctx context.Context, personID int64) ([]healthcode.CreditRecord, error) {
	rows, err := r.query(ctx, `SELECT id, person_id, finding, evidence, recorded_by, at FROM credit_records
		WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		return nil, fmt.Errorf("credit records: %w", translate(r.d, err))
	}
	cs, err := collect(r.d, rows, func(row scanner) (healthcode.CreditRecord, error) {
		var c healthcode.CreditRecord
		err := row.Scan(&c.ID, &c.PersonID, &c.Finding, &c.Evidence, &c.RecordedBy, timeCol{&c.At})
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("credit records: %w", translate(r.d, err))
	}
	return cs, nil
}

func (t *tx) CreateReleaseList(ctx context.Context, l *healthcode.ReleaseList) (err error) {
	l.ID, err = t.insert(ctx, "create release list", `INSERT INTO release_lists (uploaded_by, point, division,
		uploaded_at, rows_count, released, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		l.UploadedBy, l.Point, l.Division, t.at(l.UploadedAt), l.Rows, l.Released, l.SHA256)
	return err
}

func (t *tx) AddCreditRecord(ctx context.Context, c *healthcode.CreditRecord) (err error) {
	c.ID, err = t.insert(ctx, "add credit record", `INSERT INTO credit_records (person_id, finding, evidence,
		recorded_by, at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		c.PersonID, c.Finding, c.Evidence, c.RecordedBy, t.at(c.At))
	return err
}
