// Package recordings keeps call recordings apart per tenant and decides
// what a recording_url may point to: a relative path reaches only a regular
// file inside the tenant's folder (ROOT/TENANT/…); an absolute http(s) URL
// only a host the tenant allowed (`rastro tenant set --recording-hosts`).
package recordings

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// ErrNotFound: the reference names no regular file of the tenant's folder.
var ErrNotFound = errors.New("recording file not found")

// ErrHostNotAllowed: an absolute recording_url names a host the tenant did
// not allow.
var ErrHostNotAllowed = errors.New("recording host not allowed")

// TenantDir is the folder of a tenant's recordings under root.
func TenantDir(root, tenant string) (string, error) {
	if err := model.ValidTenantID(tenant); err != nil {
		return "", err
	}
	return filepath.Join(root, tenant), nil
}

// Absolute parses ref as an absolute URL (it has a scheme or starts with
// "//"); ok is false for a relative path.
func Absolute(ref string) (u *url.URL, ok bool, err error) {
	if !hasScheme(ref) && !strings.HasPrefix(ref, "//") && !strings.HasPrefix(ref, `\\`) {
		return nil, false, nil
	}
	u, err = url.Parse(ref)
	if err != nil {
		return nil, true, fmt.Errorf("not a valid URL")
	}
	return u, true, nil
}

// hasScheme reports whether ref starts with "scheme:" (RFC 3986).
func hasScheme(ref string) bool {
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// Check tells whether ref may be stored as a recording_url of a tenant that
// allows hosts: a relative path without ".." elements, an http(s) URL
// whose host is allowed, or a synthesised recording (ParseDemo). The error
// text is the reason a 422 gives.
func Check(ref string, hosts []string) error {
	if strings.ContainsFunc(ref, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return errors.New("must not contain control characters")
	}
	if _, demo, err := ParseDemo(ref); demo {
		return err
	}
	u, abs, err := Absolute(ref)
	if err != nil {
		return err
	}
	if !abs {
		if _, err := relPath(ref); err != nil {
			return err
		}
		return nil
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must be a path in the tenant's recordings folder, an http(s) URL or a demo: recording")
	}
	if u.User != nil || strings.ContainsAny(ref, "\\ ") || u.Host == "" {
		return errors.New("must be an http(s) URL without user info, spaces or backslashes")
	}
	if !HostAllowed(u, hosts) {
		return fmt.Errorf("host %q is not among the tenant's recording hosts (rastro tenant set --recording-hosts)", u.Host)
	}
	return nil
}

// relPath turns a relative reference into a slash path inside the tenant's
// folder: leading slashes are dropped; ".." elements are refused.
func relPath(ref string) (string, error) {
	p := strings.TrimLeft(ref, "/")
	if p == "" {
		return "", errors.New("must name a file")
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return "", errors.New(`must not contain ".." (a path inside the tenant's recordings folder)`)
		}
	}
	return p, nil
}

// HostAllowed reports whether u's host is one of hosts. An entry "host"
// allows that host on the scheme's default port; "host:port" that port.
// Names compare case-insensitively.
func HostAllowed(u *url.URL, hosts []string) bool {
	name, port := strings.ToLower(u.Hostname()), u.Port()
	def := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	if port == "" {
		port = def
	}
	for _, h := range hosts {
		hn, hp := h, def
		if n, p, err := net.SplitHostPort(h); err == nil {
			hn, hp = n, p
		}
		if strings.ToLower(strings.Trim(hn, "[]")) == name && hp == port {
			return true
		}
	}
	return false
}

// ValidHost checks an entry of --recording-hosts: a host name or IP
// address, with an optional port.
func ValidHost(h string) error {
	name := h
	if n, p, err := net.SplitHostPort(h); err == nil {
		if v, err := strconv.Atoi(p); err != nil || v < 1 || v > 65535 {
			return fmt.Errorf("%q: port must be 1-65535", h)
		}
		name = n
	}
	if net.ParseIP(name) != nil {
		return nil
	}
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%q: not a host name", h)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q: not a host name", h)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q: not a host name", h)
			}
		}
	}
	return nil
}

// Open opens the recording a relative ref names in the tenant's folder
// under root. Only a regular file inside that folder is returned: ".."
// elements, symbolic links leading out of the folder (os.Root), folders and
// devices give ErrNotFound.
func Open(root, tenant, ref string) (*os.File, fs.FileInfo, error) {
	dir, err := TenantDir(root, tenant)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	p, err := relPath(ref)
	if err != nil {
		return nil, nil, ErrNotFound
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, ErrNotFound
	}
	defer r.Close()
	// Stat first: opening a FIFO would block.
	if st, err := r.Stat(p); err != nil || !st.Mode().IsRegular() {
		return nil, nil, ErrNotFound
	}
	f, err := r.Open(p)
	if err != nil {
		return nil, nil, ErrNotFound
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, ErrNotFound
	}
	return f, st, nil
}
