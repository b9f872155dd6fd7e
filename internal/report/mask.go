package report

import (
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// masker returns the function that masks a column's cell for p, or nil when
// p may see personal data.
func masker(p model.Principal, columns []string) func(row []string) {
	if p.PersonalData {
		return nil
	}
	type col struct {
		i    int
		kind string
	}
	var cols []col
	for i, c := range columns {
		if k, ok := model.PersonalColumns[c]; ok {
			cols = append(cols, col{i, k})
		}
	}
	return func(row []string) {
		for _, c := range cols {
			if c.i >= len(row) || row[c.i] == "" {
				continue
			}
			row[c.i] = maskValue(c.kind, row[c.i])
		}
	}
}

// maskValue masks a personal value of a kind of model.PersonalColumns
// ("document", "phone", "email"): the one masking of report cells and of
// the history's contact block and call details.
func maskValue(kind, v string) string {
	if v == "" {
		return ""
	}
	switch kind {
	case "document":
		return metrics.MaskDocument(v)
	case "phone":
		return metrics.MaskPhone(v)
	case "email":
		return metrics.MaskEmail(v)
	}
	return v
}
