package benchcpu

import "gorm.io/gorm"

// backendPIDs are the process ids of the PostgreSQL backends connected to
// g's database (none when they cannot be read).
func backendPIDs(g *gorm.DB) []int {
	const q = `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`
	var pids []int
	g.Raw(q).Scan(&pids)
	return pids
}
