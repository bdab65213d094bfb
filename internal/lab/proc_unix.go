//go:build unix

package lab

import (
	"errors"
	"os/exec"
	"syscall"
)

// ownProcessGroup makes cmd the leader of a new process group, so that
// signalGroup reaches everything it starts (a pyenv shim execs Python, and a
// tool may fork helpers of its own).
func ownProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	dieWithParent(cmd.SysProcAttr)
}

// signalGroup sends sig to the process group led by pid. A group that is
// already gone is not an error.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// terminateGroup asks the group to stop (SIGTERM).
func terminateGroup(pid int) error { return signalGroup(pid, syscall.SIGTERM) }

// killGroup stops the group at once (SIGKILL).
func killGroup(pid int) error { return signalGroup(pid, syscall.SIGKILL) }

// processExists reports whether a process with this pid exists (a zombie
// counts until it is reaped).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// groupExists reports whether any process is left in the group led by pid.
func groupExists(pid int) bool {
	err := syscall.Kill(-pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
