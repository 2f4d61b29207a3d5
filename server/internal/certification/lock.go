package certification

import "gorm.io/gorm/clause"

// lockForUpdate makes a read inside a transaction take the row lock.
var lockForUpdate = clause.Locking{Strength: "UPDATE"}
