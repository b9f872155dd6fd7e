package web

import "time"

// SetPlayClock replaces the clock of the playback memory (tests move it
// past the window).
func SetPlayClock(s *Server, now func() time.Time) { s.plays.now = now }
