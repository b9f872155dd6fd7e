package analytics

import "context"

// Hooks for the external tests of settle.go.

// LegReadsFinal reports whether a read of every period of the legs would
// take FINAL (some partition holds several parts on a host).
func (e *Engine) LegReadsFinal(ctx context.Context) (bool, error) {
	p, err := e.parts(ctx, partScope{}, legTables)
	return !p.settled("legs"), err
}

// ReadLegs runs fn as a read of every period of the legs (Engine.read),
// telling it whether this run reads them FINAL.
func (e *Engine) ReadLegs(ctx context.Context, fn func(final bool) error) error {
	return e.read(ctx, partScope{}, legTables, func(m reading) error {
		return fn(m.final == nil || m.final["legs"])
	})
}
