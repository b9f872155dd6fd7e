//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// fileID names the file behind fi (device and inode), so a follower knows
// it after a rename rotation.
func fileID(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return ""
}
