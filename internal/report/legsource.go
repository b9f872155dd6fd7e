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
	SummarizeLegs(ctx context.Context, p model.Principal, f store.LegFilter) (store.LegSummary, error)
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
	BotConversations(ctx context.Context, p model.Principal, f store.BotFilter) (int64, error)
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

// read answers one read from the analytics engine when it is configured
// and answering, else from the store: the one place where the engine
// plugs into the reports (the source is chosen per read, so a report
// whose engine went away mid-request still answers).
func read[T any](ctx context.Context, r *Reports, what string, engine func(AnalyticsReader) (T, error), db func(*store.DB) (T, error)) (T, error) {
	if r.Analytics != nil {
		v, err := engine(r.Analytics)
		if r.engineAnswers(ctx, err, what) {
			return v, err
		}
	}
	return db(r.DB)
}

func (r *Reports) legs(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, limit int) (store.LegPage, error) {
	return read(ctx, r, "rastreio page",
		func(a AnalyticsReader) (store.LegPage, error) { return a.Legs(ctx, p, f, desc, after, limit) },
		func(db *store.DB) (store.LegPage, error) { return db.Legs(ctx, p, f, desc, after, limit) })
}

func (r *Reports) eachLeg(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, pageSize int, fn func(cells string) error) error {
	if r.Analytics != nil {
		sent := false
		err := r.Analytics.EachLeg(ctx, p, f, desc, pageSize, func(cells string) error {
			sent = true
			return fn(cells)
		})
		// Once a row went out the export cannot restart elsewhere, so this
		// read does not go through read.
		if sent || r.engineAnswers(ctx, err, "rastreio export") {
			return err
		}
	}
	return r.DB.EachLeg(ctx, p, f, desc, pageSize, fn)
}

// CountLegs counts the Rastreio rows of a query (page totals, export row
// counts), from the analytics engine when configured and answering.
func (r *Reports) CountLegs(ctx context.Context, p model.Principal, f store.LegFilter) (int64, error) {
	return read(ctx, r, "rastreio count",
		func(a AnalyticsReader) (int64, error) { return a.CountLegs(ctx, p, f) },
		func(db *store.DB) (int64, error) { return db.CountLegs(ctx, p, f) })
}

// summarizeLegs totals the Rastreio rows of a query (the summary strip),
// from the analytics engine when configured and answering.
func (r *Reports) summarizeLegs(ctx context.Context, p model.Principal, f store.LegFilter) (store.LegSummary, error) {
	return read(ctx, r, "rastreio summary",
		func(a AnalyticsReader) (store.LegSummary, error) { return a.SummarizeLegs(ctx, p, f) },
		func(db *store.DB) (store.LegSummary, error) { return db.SummarizeLegs(ctx, p, f) })
}

func (r *Reports) ivrGroups(ctx context.Context, p model.Principal, f store.IVRFilter, by string) ([]store.IVRGroup, error) {
	return read(ctx, r, "ivr groups",
		func(a AnalyticsReader) ([]store.IVRGroup, error) { return a.IVRGroups(ctx, p, f, by) },
		func(db *store.DB) ([]store.IVRGroup, error) { return db.IVRGroups(ctx, p, f, by) })
}

func (r *Reports) ivrTopPaths(ctx context.Context, p model.Principal, f store.IVRFilter, by string, top int) ([]store.PathCount, error) {
	return read(ctx, r, "ivr paths",
		func(a AnalyticsReader) ([]store.PathCount, error) { return a.IVRTopPaths(ctx, p, f, by, top) },
		func(db *store.DB) ([]store.PathCount, error) { return db.IVRTopPaths(ctx, p, f, by, top) })
}

func (r *Reports) ivrsIn(ctx context.Context, p model.Principal, f store.IVRFilter) ([]string, error) {
	return read(ctx, r, "ivrs of report",
		func(a AnalyticsReader) ([]string, error) { return a.IVRsIn(ctx, p, f) },
		func(db *store.DB) ([]string, error) { return db.IVRsIn(ctx, p, f) })
}

func (r *Reports) agentFigures(ctx context.Context, p model.Principal, f store.AgentFilter) (store.AgentFigures, error) {
	return read(ctx, r, "agents",
		func(a AnalyticsReader) (store.AgentFigures, error) { return a.AgentFigures(ctx, p, f) },
		func(db *store.DB) (store.AgentFigures, error) { return db.AgentFigures(ctx, p, f) })
}

func (r *Reports) agentLegCounts(ctx context.Context, p model.Principal, f store.AgentFilter, by string) ([]store.AgentLegs, error) {
	return read(ctx, r, "agents chart",
		func(a AnalyticsReader) ([]store.AgentLegs, error) { return a.AgentLegCounts(ctx, p, f, by) },
		func(db *store.DB) ([]store.AgentLegs, error) { return db.AgentLegCounts(ctx, p, f, by) })
}

func (r *Reports) botRows(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error) {
	return read(ctx, r, "fluxo page",
		func(a AnalyticsReader) (store.BotPage, error) { return a.BotRows(ctx, p, f, byName, after, limit) },
		func(db *store.DB) (store.BotPage, error) { return db.BotRows(ctx, p, f, byName, after, limit) })
}

func (r *Reports) eachBotRow(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, pageSize int, fn func(store.BotRow) error) error {
	if r.Analytics != nil {
		sent := false
		err := r.Analytics.EachBotRow(ctx, p, f, byName, pageSize, func(row store.BotRow) error {
			sent = true
			return fn(row)
		})
		// Once a row went out the export cannot restart elsewhere, so this
		// read does not go through read.
		if sent || r.engineAnswers(ctx, err, "fluxo export") {
			return err
		}
	}
	return r.DB.EachBotRow(ctx, p, f, byName, pageSize, fn)
}

func (r *Reports) botDropoff(ctx context.Context, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error) {
	return read(ctx, r, "fluxo drop-off",
		func(a AnalyticsReader) ([]store.BotStepCount, error) { return a.BotDropoff(ctx, p, f) },
		func(db *store.DB) ([]store.BotStepCount, error) { return db.BotDropoff(ctx, p, f) })
}

func (r *Reports) botConversations(ctx context.Context, p model.Principal, f store.BotFilter) (int64, error) {
	return read(ctx, r, "fluxo total",
		func(a AnalyticsReader) (int64, error) { return a.BotConversations(ctx, p, f) },
		func(db *store.DB) (int64, error) { return db.BotConversations(ctx, p, f) })
}
