package lab

import "testing"

// Hooks for lab_test: the process checks and a single start attempt on a
// given port are not part of the API.

var (
	ProcessExists = processExists
	GroupExists   = groupExists
	ErrPortTaken  = errPortTaken
)

func StartMotoOnPort(tb testing.TB, port int) (*Moto, error) {
	return startMoto(tb, port, tb.TempDir())
}
