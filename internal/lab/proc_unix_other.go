//go:build unix && !linux

package lab

import "syscall"

// dieWithParent does nothing where the kernel offers no parent-death signal:
// there a test binary killed before its cleanups can leave a tool running.
func dieWithParent(*syscall.SysProcAttr) {}
