//go:build unix

package main

import "syscall"

// privateUmask makes every file and folder the process creates readable by
// its owner only (0600 / 0700): the store, its journal files, backups,
// exports. Called first thing in main.
func privateUmask() { syscall.Umask(0o077) }
