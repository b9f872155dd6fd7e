package web

import (
	"net/url"
	"strings"
)

// localPath returns target when it is a path of this site, else fallback.
// Every redirect to a target taken from a request (/lang's and the login's
// "next") goes through it, so none can send a browser to another site.
//
// A local path starts with "/" followed by anything but "/" or "\" (both
// "//host" and "/\host" are another host to a browser), has no scheme or
// host, no backslash at all (browsers read "\" as "/", and http.Redirect
// cleans "/a/..\host" into "/\host") and no control character (browsers
// drop tabs and newlines: "/\t/host" is "//host").
func localPath(target, fallback string) string {
	if target == "" || target[0] != '/' || len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return fallback
	}
	if strings.ContainsRune(target, '\\') || strings.ContainsFunc(target, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fallback
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return target
}
