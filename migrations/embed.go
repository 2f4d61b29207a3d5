// Package migrations embeds Skillgate's goose SQL migrations. The schema lives
// here and only here; GORM never migrates.
package migrations

import "embed"

// FS holds every *.sql migration, applied in version order by goose.
//
//go:embed *.sql
var FS embed.FS
