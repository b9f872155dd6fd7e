//go:build !unix

package main

// privateUmask does nothing where there is no umask; the store still creates
// its own files with 0600 (store.Open, Backup).
func privateUmask() {}
