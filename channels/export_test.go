package channels

// SetCrashPoint lets the external tests stop a worker at a named point.
func SetCrashPoint(w *Worker, f func(point string)) { w.crashPoint = f }
