package bolt

// CloseAsKilled releases the file the way a killed process leaves it: what
// was committed stays, and no clean shutdown is marked.
func CloseAsKilled(s *Store) error {
	s.w.stop()
	return s.db.Close()
}
