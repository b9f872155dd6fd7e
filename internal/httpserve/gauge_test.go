package httpserve

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestGaugesAreReadAtEachScrapeAndLeftOutOnError(t *testing.T) {
	m := NewMetrics()
	pending := 7.0
	m.AddGauge("rastro_analytics_pending", "Outbox entries.", func(context.Context) (float64, error) { return pending, nil })
	m.AddGauge("rastro_analytics_lag_seconds", "Lag.", func(context.Context) (float64, error) { return 0, errors.New("store down") })
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# TYPE rastro_analytics_pending gauge\nrastro_analytics_pending 7\n") {
		t.Errorf("pending gauge missing:\n%s", b.String())
	}
	if strings.Contains(b.String(), "rastro_analytics_lag_seconds") {
		t.Errorf("a gauge whose read failed was written")
	}
	pending = 0
	b.Reset()
	_, _ = m.WriteTo(&b)
	if !strings.Contains(b.String(), "rastro_analytics_pending 0\n") {
		t.Errorf("the gauge is not read again at the next scrape")
	}
}
