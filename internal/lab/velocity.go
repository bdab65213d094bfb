package lab

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// One Velocity engine (one JVM) per test binary, as `ddnsgen local` has one
// per run.
var (
	engineOnce sync.Once
	engine     *velocity.Engine
	engineErr  error
)

// Velocity is the test binary's Velocity engine, started on first use. It
// skips the test (or, with DDNSGEN_LAB=require, fails it) when java or the
// velocity jars are missing. The test binary's TestMain calls CloseVelocity.
func Velocity(tb testing.TB) *velocity.Engine {
	tb.Helper()
	Tools(tb, append([]string{"java"}, velocity.DefaultJars...)...)
	engineOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		engine, engineErr = velocity.Start(ctx, velocity.Options{})
	})
	if engineErr != nil {
		tb.Fatalf("lab: starting Velocity: %v", engineErr)
	}
	return engine
}

// CloseVelocity stops the engine Velocity started, if any.
func CloseVelocity() {
	if engine != nil {
		engine.Close()
	}
}
