//go:build !unix

package main

import "os"

// fileID is empty where the system gives no inode: a follower then sees a
// rotation only as a file that shrank.
func fileID(os.FileInfo) string { return "" }
