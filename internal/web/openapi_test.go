package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestOpenAPIDescribesEveryAPIRoute keeps api/openapi.yaml honest: every
// API route the server registers is documented, and nothing else is.
func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The file is JSON (valid YAML) after its comment line.
	body := raw[strings.IndexByte(string(raw), '{'):]
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	srv, err := New(nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range srv.Routes() {
		if r.Auth == "ui" || strings.HasPrefix(r.Pattern, "/static/") || r.Pattern == "/login" || r.Pattern == "/lang" {
			continue
		}
		key := r.Method + " " + r.Pattern
		if !documented[key] {
			t.Errorf("route %s is not in api/openapi.yaml", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("api/openapi.yaml documents %s, which the server does not serve", key)
	}
}
