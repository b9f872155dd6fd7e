package report

import (
	"context"
	"log/slog"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// LegReader is what the Rastreio reads legs from: the store
// (*store.DB) or the analytics engine (*analytics.Rastreio). Both take the
// same validated filter and return the same stored cells.
type LegReader interface {
	Legs(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, limit int) (store.LegPage, error)
	EachLeg(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, pageSize int, fn func(cells string) error) error
	CountLegs(ctx context.Context, p model.Principal, f store.LegFilter) (int64, error)
}

// IVRReader is what the Relatório IVR reads its sums from: the store
// (*store.DB, from its rollups) or the analytics engine
// (*analytics.Rastreio, from its IVR visits). Both return the same structs;
// the report package formats them.
type IVRReader interface {
	IVRGroups(ctx context.Context, p model.Principal, f store.IVRFilter, by string) ([]store.IVRGroup, error)
	IVRTopPaths(ctx context.Context, p model.Principal, f store.IVRFilter, by string, top int) ([]store.PathCount, error)
	IVRsIn(ctx context.Context, p model.Principal, f store.IVRFilter) ([]string, error)
}

// AgentReader is what the Relatório de Agentes reads its figures from: the
// store (*store.DB, from its rollups and spans) or the analytics engine
// (*analytics.Rastreio, from its legs and spans).
type AgentReader interface {
	AgentFigures(ctx context.Context, p model.Principal, f store.AgentFilter) (store.AgentFigures, error)
	AgentLegCounts(ctx context.Context, p model.Principal, f store.AgentFilter, by string) ([]store.AgentLegs, error)
}

// FluxoReader is what the Fluxo Ágil reads its rows and drop-off from: the
// store (*store.DB) or the analytics engine (*analytics.Rastreio, from its
// bot conversations). Both return the same structs; the report package
// formats them. The history (Ação) always reads the store's events.
type FluxoReader interface {
	BotRows(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error)
	EachBotRow(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, pageSize int, fn func(store.BotRow) error) error
	BotDropoff(ctx context.Context, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error)
}

// AnalyticsReader is what the analytics engine answers.
type AnalyticsReader interface {
	LegReader
	IVRReader
	AgentReader
	FluxoReader
}

// engineAnswers reports whether a read of the analytics engine stands (it
// answered, or failed for another reason than being unreachable). If not,
// the store answers instead (slower): the fallback is logged and recorded
// for the page's note (see Source).
func (r *Reports) engineAnswers(ctx context.Context, err error, what string) bool {
	src := SourceOf(ctx)
	if err == nil {
		src.mark(true)
		return true
	}
	if !analytics.Unreachable(err) {
		return true
	}
	slog.Warn("analytics engine unreachable; the store answers", "read", what, "err", err)
	src.mark(false)
	return false
}

func (r *Reports) legs(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, limit int) (store.LegPage, error) {
	if r.Analytics != nil {
		page, err := r.Analytics.Legs(ctx, p, f, desc, after, limit)
		if r.engineAnswers(ctx, err, "rastreio page") {
			return page, err
		}
	}
	return r.DB.Legs(ctx, p, f, desc, after, limit)
}

func (r *Reports) eachLeg(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, pageSize int, fn func(cells string) error) error {
	if r.Analytics != nil {
		sent := false
		err := r.Analytics.EachLeg(ctx, p, f, desc, pageSize, func(cells string) error {
			sent = true
			return fn(cells)
		})
		// Once a row went out the export cannot restart elsewhere.
		if sent || r.engineAnswers(ctx, err, "rastreio export") {
			return err
		}
	}
	return r.DB.EachLeg(ctx, p, f, desc, pageSize, fn)
}

// CountLegs counts the Rastreio rows of a query (page totals, export row
// counts), from the analytics engine when configured and answering.
func (r *Reports) CountLegs(ctx context.Context, p model.Principal, f store.LegFilter) (int64, error) {
	if r.Analytics != nil {
		n, err := r.Analytics.CountLegs(ctx, p, f)
		if r.engineAnswers(ctx, err, "rastreio count") {
			return n, err
		}
	}
	return r.DB.CountLegs(ctx, p, f)
}

func (r *Reports) ivrGroups(ctx context.Context, p model.Principal, f store.IVRFilter, by string) ([]store.IVRGroup, error) {
	if r.Analytics != nil {
		g, err := r.Analytics.IVRGroups(ctx, p, f, by)
		if r.engineAnswers(ctx, err, "ivr groups") {
			return g, err
		}
	}
	return r.DB.IVRGroups(ctx, p, f, by)
}

func (r *Reports) ivrTopPaths(ctx context.Context, p model.Principal, f store.IVRFilter, by string, top int) ([]store.PathCount, error) {
	if r.Analytics != nil {
		c, err := r.Analytics.IVRTopPaths(ctx, p, f, by, top)
		if r.engineAnswers(ctx, err, "ivr paths") {
			return c, err
		}
	}
	return r.DB.IVRTopPaths(ctx, p, f, by, top)
}

func (r *Reports) ivrsIn(ctx context.Context, p model.Principal, f store.IVRFilter) ([]string, error) {
	if r.Analytics != nil {
		ids, err := r.Analytics.IVRsIn(ctx, p, f)
		if r.engineAnswers(ctx, err, "ivrs of report") {
			return ids, err
		}
	}
	return r.DB.IVRsIn(ctx, p, f)
}

func (r *Reports) agentFigures(ctx context.Context, p model.Principal, f store.AgentFilter) (store.AgentFigures, error) {
	if r.Analytics != nil {
		figs, err := r.Analytics.AgentFigures(ctx, p, f)
		if r.engineAnswers(ctx, err, "agents") {
			return figs, err
		}
	}
	return r.DB.AgentFigures(ctx, p, f)
}

func (r *Reports) agentLegCounts(ctx context.Context, p model.Principal, f store.AgentFilter, by string) ([]store.AgentLegs, error) {
	if r.Analytics != nil {
		g, err := r.Analytics.AgentLegCounts(ctx, p, f, by)
		if r.engineAnswers(ctx, err, "agents chart") {
			return g, err
		}
	}
	return r.DB.AgentLegCounts(ctx, p, f, by)
}

func (r *Reports) botRows(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error) {
	if r.Analytics != nil {
		page, err := r.Analytics.BotRows(ctx, p, f, byName, after, limit)
		if r.engineAnswers(ctx, err, "fluxo page") {
			return page, err
		}
	}
	return r.DB.BotRows(ctx, p, f, byName, after, limit)
}

func (r *Reports) eachBotRow(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, pageSize int, fn func(store.BotRow) error) error {
	if r.Analytics != nil {
		sent := false
		err := r.Analytics.EachBotRow(ctx, p, f, byName, pageSize, func(row store.BotRow) error {
			sent = true
			return fn(row)
		})
		// Once a row went out the export cannot restart elsewhere.
		if sent || r.engineAnswers(ctx, err, "fluxo export") {
			return err
		}
	}
	return r.DB.EachBotRow(ctx, p, f, byName, pageSize, fn)
}

func (r *Reports) botDropoff(ctx context.Context, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error) {
	if r.Analytics != nil {
		list, err := r.Analytics.BotDropoff(ctx, p, f)
		if r.engineAnswers(ctx, err, "fluxo drop-off") {
			return list, err
		}
	}
	return r.DB.BotDropoff(ctx, p, f)
}
