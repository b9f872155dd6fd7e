package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

// TestQueriesAreMadeOnlyByScopedConstructors reads every Go file of the
// repository and refuses a store Query made any other way than by the
// scoped constructors of scope.go (a literal, new(Query), a variable of
// type Query): such a value would carry no tenant scope.
func TestQueriesAreMadeOnlyByScopedConstructors(t *testing.T) {
	root := filepath.Join("..", "..")
	isQuery := func(e ast.Expr, inStore bool) bool {
		switch x := e.(type) {
		case *ast.Ident:
			return inStore && x.Name == "Query"
		case *ast.SelectorExpr:
			pkg, ok := x.X.(*ast.Ident)
			return ok && pkg.Name == "store" && x.Sel.Name == "Query"
		}
		return false
	}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		inStore := filepath.ToSlash(filepath.Dir(rel)) == "internal/store"
		if rel == "internal/store/scope.go" || rel == "internal/store/scope_internal_test.go" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var bad ast.Node
			switch x := n.(type) {
			case *ast.CompositeLit:
				if x.Type != nil && isQuery(x.Type, inStore) {
					bad = x
				}
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && len(x.Args) == 1 && isQuery(x.Args[0], inStore) {
					bad = x
				}
			case *ast.ValueSpec:
				if x.Type != nil && isQuery(x.Type, inStore) {
					bad = x
				}
			}
			if bad != nil {
				t.Errorf("%s: a store Query made without a scoped constructor (use New…Query of internal/store/scope.go)", fset.Position(bad.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("read only %d Go files under %s: the walk missed the repository", checked, root)
	}
}

// TestUnscopedQueryIsRefused: Where on a Query no constructor made panics
// instead of rendering a clause without the tenant.
func TestUnscopedQueryIsRefused(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Where of an unscoped Query did not panic")
		}
	}()
	q := new(Query)
	q.And("x = ?", 1).Where()
}

// TestScopedConstructorsStartFromTheTenant: every constructor's clause
// starts with the tenant condition, and a principal limited to services or
// clients is narrowed to them.
func TestScopedConstructorsStartFromTheTenant(t *testing.T) {
	p := model.Principal{Tenant: "acme", Services: []string{"s1"}, Clients: []string{"c1"}}
	for name, q := range map[string]*Query{
		"leg":     NewLegQuery(p, "l"),
		"client":  NewClientQuery(p, "b"),
		"user":    NewUserQuery(p, "u"),
		"contact": NewContactQuery(p, "c", "c.name_key LIKE ?", "%ana%"),
		"span":    NewSpanQuery(p, "s", "login"),
		"agent":   NewAgentEventQuery(p, "e", "ag-1"),
	} {
		where, args := q.Where()
		if !strings.HasSuffix(strings.SplitN(where, " AND ", 2)[0], ".tenant = ?") || len(args) == 0 || args[0] != "acme" {
			t.Errorf("%s query does not start from the tenant: %q %v", name, where, args)
		}
		switch name {
		case "leg", "user", "contact", "agent":
			if !strings.Contains(where, "service_id IN (?)") {
				t.Errorf("%s query is not narrowed to the principal's services: %q", name, where)
			}
		case "client":
			if !strings.Contains(where, "client_id IN (?)") {
				t.Errorf("%s query is not narrowed to the principal's clients: %q", name, where)
			}
		}
	}
}
