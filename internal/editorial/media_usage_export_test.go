package editorial

// RecordMediaUsage lets the external tests replay a recorder that ran late.
func RecordMediaUsage(s *Service, ch *Change) { s.recordMediaUsage(ch) }
