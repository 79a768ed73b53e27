package sqlitestore

// WriteTransactions is how many write transactions s has begun, for the external tests.
func WriteTransactions(s *Store) int64 { return s.writes.Load() }
