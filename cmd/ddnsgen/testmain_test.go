package main

import (
	"os"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// TestMain prints one line naming the lab tests skipped and why (see lab.Run).
func TestMain(m *testing.M) { os.Exit(lab.Run(m)) }
