package lab

import "syscall"

// dieWithParent asks Linux to SIGKILL the child when the test binary dies
// without running its cleanups (go test -timeout, a panic in another
// goroutine, ^C), so no moto_server outlives its test.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
