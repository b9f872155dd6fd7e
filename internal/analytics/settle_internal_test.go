package analytics

import "testing"

func TestPartitionValuesReadSystemPartsText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`(694,'2026-10')`, []string{"694", "2026-10"}},
		{`'2026-10'`, []string{"2026-10"}},
		{`2026-10`, []string{"2026-10"}},
		{`tuple()`, nil},
	} {
		got := partitionValues(c.in)
		if len(got) != len(c.want) {
			t.Fatalf("%s: %q, want %q", c.in, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: %q, want %q", c.in, got, c.want)
			}
		}
	}
}

// TestPartScopeTouchesOnlyPartitionsThatMayHoldItsRows: a partition left
// out of the check must hold no row of the read.
func TestPartScopeTouchesOnlyPartitionsThatMayHoldItsRows(t *testing.T) {
	oct := partScope{fromMS: 694 * partitionPeriodMS, toMS: 695 * partitionPeriodMS}
	months := monthsScope("2026-10-01", "2026-10-31")
	for _, c := range []struct {
		name             string
		scope            partScope
		table, partition string
		want             bool
	}{
		{"legs in the period", oct, "legs", `(694,'2026-10')`, true},
		{"legs before the period", oct, "legs", `(693,'2026-10')`, false},
		{"legs after the period", oct, "legs", `(695,'2026-11')`, false},
		{"legs of another month in the period", oct, "legs", `(694,'2026-09')`, true},
		{"legs by month", months, "legs", `(694,'2026-10')`, true},
		{"legs of another month", months, "legs", `(694,'2026-11')`, false},
		{"visits in the months", months, "ivr_visits", `2026-10`, true},
		{"visits outside", months, "ivr_visits", `'2026-09'`, false},
		{"spans outside", months, "agent_spans", `'2026-11'`, false},
		{"open scope", partScope{}, "agent_spans", `'2020-01'`, true},
		{"unpartitioned", months, "bot_conversations", `tuple()`, true},
		{"fluxo rows of the month", months, "bot_rows", `('2026-10','2026-10')`, true},
		{"fluxo rows started before the month", months, "bot_rows", `('2026-09','2026-10')`, false},
		{"fluxo rows ending after the month", months, "bot_rows", `('2026-10','2026-11')`, false},
		{"fluxo rows of another month", months, "bot_rows", `('2026-11','2026-11')`, false},
		{"fluxo rows, open scope", partScope{}, "bot_rows", `('2020-01','2026-11')`, true},
		{"unknown shape", oct, "legs", `'x'`, true},
	} {
		if got := c.scope.touches(c.table, c.partition); got != c.want {
			t.Errorf("%s: touches = %v, want %v", c.name, got, c.want)
		}
	}
}
