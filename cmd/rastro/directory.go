package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/ingest"
)

// directoryKinds maps a kind of `rastro directory import` to its upsert
// type and object field.
var directoryKinds = map[string][2]string{
	"service": {"service.upserted", "service"}, "queue": {"service.upserted", "service"},
	"agent": {"user.upserted", "user"}, "user": {"user.upserted", "user"},
	"ivr": {"ivr.upserted", "ivr"}, "tag": {"tag.upserted", "tag"},
}

// cmdDirectory is `rastro directory import FILE.csv`: names queues
// (services), agents (users), IVRs and tags in one go. Each row is
// kind,id,name; an optional first row "kind,id,name" is a header. Only the
// name is sent (upserts merge field by field, EVENTS.md), so an agent's
// tags, status and extension stay as they are. Every row is checked first:
// any problem is reported as file:line: reason and nothing is stored.
func cmdDirectory(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Println("usage: rastro directory import [--tenant T] [--db DSN] FILE.csv   (rows: kind,id,name; kind: service|queue, agent|user, ivr, tag)")
			return errHelpShown
		}
		return usageError("usage: rastro directory import FILE.csv")
	}
	fs := flag.NewFlagSet("directory import", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", envOr("RASTRO_TENANT", "demo"), "tenant the names belong to")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one CSV file (kind,id,name)")
	}
	name := fs.Arg(0)
	body, lines, err := directoryEvents(name, time.Now().UTC())
	if err != nil {
		return err
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Tenant(ctx, *tenant); err != nil {
		return fmt.Errorf("tenant %q: %w", *tenant, err)
	}
	in := ingest.New(db)
	opt, err := in.Options(ctx, *tenant)
	if err != nil {
		return err
	}
	events, raw, err := ingest.Decode(body, opt)
	var be *ingest.BatchError
	if errors.As(err, &be) {
		for _, e := range be.Errors {
			fmt.Fprintf(os.Stderr, "%s:%d: %s: %s\n", name, lines[e.Line-1], orDash(e.Field), e.Reason)
		}
		return fmt.Errorf("%d problem(s); nothing was stored", len(be.Errors)+be.Omitted)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	res, err := in.Store(ctx, *tenant, events, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	return nil
}

// directoryEvents reads the CSV into NDJSON upserts carrying only names,
// and the CSV line of each; a bad row stops everything.
func directoryEvents(name string, at time.Time) ([]byte, []int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var b strings.Builder
	var lines []int
	var problems []string
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, fmt.Sprintf("%s:%d: bad CSV: %v", name, pe.StartLine, pe.Err))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if first && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if first && len(rec) == 3 && strings.EqualFold(strings.TrimSpace(rec[0]), "kind") {
			continue // header
		}
		if len(rec) != 3 {
			problems = append(problems, fmt.Sprintf("%s:%d: expected 3 columns (kind,id,name), got %d", name, line, len(rec)))
			continue
		}
		kind, id, label := strings.ToLower(strings.TrimSpace(rec[0])), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		k, ok := directoryKinds[kind]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s:%d: kind: %q is not service, queue, agent, user, ivr or tag", name, line, rec[0]))
			continue
		case id == "":
			problems = append(problems, fmt.Sprintf("%s:%d: id: empty", name, line))
			continue
		case label == "":
			problems = append(problems, fmt.Sprintf("%s:%d: name: empty (a name import never clears one)", name, line))
			continue
		}
		sum := sha256.Sum256([]byte(k[0] + "\x00" + id + "\x00" + label))
		ev := map[string]any{
			"id":   "dir:" + hex.EncodeToString(sum[:12]),
			"type": k[0],
			"at":   at.Format(time.RFC3339Nano),
			k[1]:   map[string]string{"id": id, "name": label},
		}
		js, err := json.Marshal(ev)
		if err != nil {
			return nil, nil, err
		}
		b.Write(js)
		b.WriteByte('\n')
		lines = append(lines, line)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		return nil, nil, fmt.Errorf("%d problem(s); nothing was stored", len(problems))
	}
	if len(lines) == 0 {
		return nil, nil, fmt.Errorf("%s: no rows (kind,id,name)", name)
	}
	return []byte(b.String()), lines, nil
}
