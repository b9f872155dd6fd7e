package recordings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Migrate moves the recordings of the time when every tenant shared the
// recordings root into the tenants' folders: for each tenant whose folder
// ROOT/TENANT does not exist yet, the regular files of ROOT its legs'
// relative recording_url values name are moved into a staging folder
// ROOT/.migrating-TENANT, which is then renamed to ROOT/TENANT. A file
// named by several tenants is copied into each and moved into the last.
// Running it again does nothing for a tenant that has its folder; an
// interrupted run resumes from the staging folder. Tenants whose id breaks
// model.ValidTenantID are skipped with a warning (their recordings are not
// served). It returns the number of files placed.
func Migrate(ctx context.Context, db *store.DB, root string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.Default()
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return 0, nil // nothing recorded yet
	}
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	type job struct {
		tenant string
		refs   []string
	}
	var jobs []job
	users := map[string]int{} // file → pending tenants naming it
	for _, t := range tenants {
		if err := model.ValidTenantID(t); err != nil {
			log.Warn("recordings of this tenant are not served: its id breaks the rule; recreate the tenant with a valid id", "tenant", t, "error", err)
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, t)); err == nil || !errors.Is(err, fs.ErrNotExist) {
			continue // migrated (or something is in the way: left alone)
		}
		urls, err := db.RecordingURLs(ctx, t)
		if err != nil {
			return 0, err
		}
		j := job{tenant: t}
		for _, u := range urls {
			if _, abs, _ := Absolute(u); abs {
				continue
			}
			p, err := relPath(u)
			if err != nil {
				continue
			}
			j.refs = append(j.refs, p)
			users[p]++
		}
		if len(j.refs) > 0 {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	rt, err := os.OpenRoot(root)
	if err != nil {
		return 0, err
	}
	defer rt.Close()
	placed := 0
	for _, j := range jobs {
		stage := ".migrating-" + j.tenant
		if err := rt.MkdirAll(stage, 0o755); err != nil {
			return placed, err
		}
		for _, p := range j.refs {
			users[p]--
			dst := stage + "/" + p
			if _, err := rt.Lstat(dst); err == nil {
				continue // placed by an interrupted run
			}
			st, err := rt.Lstat(p)
			if err != nil || !st.Mode().IsRegular() {
				continue // missing, a folder or a link: never served
			}
			if err := rt.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return placed, err
			}
			if users[p] > 0 {
				err = copyFile(rt, p, dst, st.Mode().Perm())
			} else {
				err = rt.Rename(p, dst)
			}
			if err != nil {
				return placed, fmt.Errorf("recordings of tenant %s: %w", j.tenant, err)
			}
			placed++
		}
		if err := rt.Rename(stage, j.tenant); err != nil {
			return placed, fmt.Errorf("recordings of tenant %s: %w", j.tenant, err)
		}
		log.Info("recordings moved into the tenant's folder", "tenant", j.tenant, "folder", filepath.Join(root, j.tenant))
	}
	return placed, nil
}

func copyFile(rt *os.Root, src, dst string, perm fs.FileMode) error {
	in, err := rt.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := rt.OpenFile(dst+".part", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return rt.Rename(dst+".part", dst)
}
