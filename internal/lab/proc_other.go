//go:build !unix

package lab

import (
	"os"
	"os/exec"
)

// Without Unix process groups a tool is stopped by its pid alone: whatever it
// forked itself may outlive it.

func ownProcessGroup(*exec.Cmd) {}

func terminateGroup(pid int) error { return killGroup(pid) }

func killGroup(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	if err := p.Kill(); err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}

func processExists(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}

func groupExists(pid int) bool { return processExists(pid) }
