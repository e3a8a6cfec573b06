// Package migrations holds the stores' schema, one numbered step a file:
// NNNN_name.sql where both dialects run the same SQL, NNNN_name.sqlite.sql
// and NNNN_name.postgres.sql where they differ. internal/migrate reads a
// dialect's sequence from FS.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
