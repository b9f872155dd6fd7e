package model

import "fmt"

// MaxTenantIDLen bounds a tenant id.
const MaxTenantIDLen = 64

// ValidTenantID checks a tenant id: 1 to 64 characters of a-z, 0-9, "_" and
// "-". A tenant id names the tenant's recordings folder, so nothing else
// (no dot, slash, upper case or space) is allowed.
func ValidTenantID(id string) error {
	if id == "" || len(id) > MaxTenantIDLen {
		return fmt.Errorf("tenant id %q: must have 1 to %d characters of a-z, 0-9, _ and -", id, MaxTenantIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("tenant id %q: must have only a-z, 0-9, _ and - (found %q)", id, rune(c))
		}
	}
	return nil
}
