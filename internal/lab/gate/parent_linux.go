package gate

import (
	"os"
	"strconv"
	"strings"
)

// parentStderr opens the standard error of the go command that started this
// test binary, when it is a terminal or a pipe, or returns nil. A regular
// file is left alone: a write at its end would be overwritten by the go
// command's next one, which writes from its own offset.
func parentStderr() *os.File {
	ppid := strconv.Itoa(os.Getppid())
	comm, err := os.ReadFile("/proc/" + ppid + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return nil
	}
	path := "/proc/" + ppid + "/fd/2"
	info, err := os.Stat(path)
	if err != nil || info.Mode()&(os.ModeNamedPipe|os.ModeCharDevice) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	return f
}
