package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// reportArgs splits `--name value` / `--name=value` pairs into the CLI's own
// options and the report parameters, which keep their API names (dashes
// become underscores: --hour-from = hour_from).
func reportArgs(args []string) (own map[string]string, params url.Values, err error) {
	own, params = map[string]string{}, url.Values{}
	ownNames := map[string]bool{"db": true, "tenant": true, "format": true, "sep": true, "out": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			return nil, nil, usageError(fmt.Sprintf("unexpected argument %q (parameters are --name value)", a))
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, usageError(fmt.Sprintf("--%s needs a value", name))
			}
			i++
			value = args[i]
		}
		name = strings.ReplaceAll(name, "-", "_")
		if ownNames[name] {
			own[name] = value
		} else {
			params.Add(name, value)
		}
	}
	return own, params, nil
}

func cmdReport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("report " + strings.Join(report.Names(), "|") + " [--tenant T] [--format csv|xlsx|json] [--sep ,] [--out FILE] [--param value …]")
	}
	name := args[0]
	if len(args) > 1 && (args[1] == "--help" || args[1] == "-h" || args[1] == "-help") {
		return reportHelp(os.Stdout, name)
	}
	own, params, err := reportArgs(args[1:])
	if err != nil {
		return err
	}
	dsn := own["db"]
	if dsn == "" {
		dsn = envOr("RASTRO_DB", "./rastro.db")
	}
	tenant := own["tenant"]
	if tenant == "" {
		tenant = envOr("RASTRO_TENANT", "demo")
	}
	format := own["format"]
	if format == "" {
		format = "csv"
	}
	db, err := openExistingStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Tenant(ctx, tenant); err != nil {
		return err
	}
	// Local access to the store is full access: the CLI acts as the tenant's admin.
	p := model.Principal{Tenant: tenant, Actor: "cli", Role: model.RoleAdmin, PersonalData: true}
	r := report.New(db)
	var out io.Writer = os.Stdout
	if format == "xlsx" && (own["out"] == "" || own["out"] == "-") && isTerminal(os.Stdout) {
		return usageError("an XLSX file is binary and is not written to a terminal: pass --out FILE.xlsx or redirect the output")
	}
	if path := own["out"]; path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	defer bw.Flush()

	rep, err := r.Report(name)
	if err != nil {
		return usageError(err.Error())
	}
	q, err := rep.Parse(ctx, p, params)
	if err != nil {
		return err
	}
	if format == "json" {
		t, err := rep.Table(ctx, p, q)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	f, err := report.ParseFormat(format, own["sep"])
	if err != nil {
		return err
	}
	e := rep.Export(ctx, p, q)
	st, err := report.Write(bw, f, e.Columns, e.Rows)
	audit := store.AuditEntry{Tenant: tenant, Actor: "cli", Action: "export", Detail: map[string]any{"report": name, "format": f.Kind, "filters": params}, Rows: &st.Rows, Bytes: &st.Bytes, SHA256: st.SHA256}
	if err != nil {
		audit.Error = err.Error()
	}
	if aerr := db.Audit(ctx, audit); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// isTerminal reports whether f is a terminal (not merely a character
// device: /dev/null is one and may take an XLSX).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// reportHelp prints a report's parameters: the API's names, as --name
// value (dashes for underscores).
func reportHelp(w io.Writer, name string) error {
	var r *report.Reports
	rep, err := r.Report(name)
	if err != nil {
		return usageError(err.Error())
	}
	fmt.Fprintf(w, "usage: rastro report %s [--db D] [--tenant T] [--format csv|xlsx|json] [--sep ,] [--out FILE] [parameters]\n\nparameters (the API's, GET /api/v1/reports/%s; lists are comma-separated):\n", name, name)
	for _, p := range rep.Params() {
		if p == "cursor" || p == "limit" {
			continue // paging of the JSON page, not of the CLI's whole export
		}
		fmt.Fprintf(w, "  --%s\n", strings.ReplaceAll(p, "_", "-"))
	}
	fmt.Fprintln(w, "\nMeaning and values of each: README.md and api/openapi.yaml.")
	return nil
}
