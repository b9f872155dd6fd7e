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
			switch c.kind {
			case "document":
				row[c.i] = metrics.MaskDocument(row[c.i])
			case "phone":
				row[c.i] = metrics.MaskPhone(row[c.i])
			case "email":
				row[c.i] = metrics.MaskEmail(row[c.i])
			}
		}
	}
}
