package metrics

import (
	"sort"

	"github.com/rastro/rastro/internal/model"
)

// sortEvents returns pointers to the events, duplicates (same id) removed
// keeping the first to arrive, in model.Before order. The input is not
// modified.
func sortEvents(events []model.Event) []*model.Event {
	out := make([]*model.Event, 0, len(events))
	byID := make(map[string]int, len(events))
	for i := range events {
		e := &events[i]
		if e.ID != "" {
			if j, ok := byID[e.ID]; ok {
				if e.Seq < out[j].Seq {
					out[j] = e
				}
				continue
			}
			byID[e.ID] = len(out)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return model.Before(out[i], out[j]) })
	return out
}
