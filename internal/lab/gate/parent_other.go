//go:build !linux

package gate

import "os"

// parentStderr: only Linux lets a process reach its parent's standard error
// (through /proc), so elsewhere the summary goes to standard output, which
// `go test ./...` shows with -v.
func parentStderr() *os.File { return nil }
