// Package lab runs the local tools that ddnsgen's lab and golden tests check
// stacks with: moto_server (moto's stand-alone AWS), the aws CLI (v1) pointed
// at it, and cfn-lint. Nothing here talks to AWS.
//
// A test starts its own moto_server and drives it with the commands a README
// gives a user:
//
//	func TestStack(t *testing.T) {
//		m := lab.StartMoto(t)
//		zone := m.CreateHostedZone(t, "example.com")
//		m.Deploy(t, "stack.yaml", "ddns", map[string]string{"HostedZoneId": zone})
//		resources := m.ListStackResources(t, "ddns") // logical id → physical id
//		before := m.Records(t, zone)
//		// … call the API …
//		if diff := cmp.Diff(before, m.Records(t, zone)); diff != "" { … }
//	}
//
//	func TestGolden(t *testing.T) {
//		lab.CfnLint(t, "golden/seed.yaml") // no errors, warnings or informational findings
//	}
//
// What a caller may rely on:
//
//   - Every helper takes the test's testing.TB. A test that starts a tool
//     (moto_server, aws, cfn-lint …) is a lab test: it runs only when
//     DDNSGEN_LAB is set (1, or require), so plain `go test ./...` stays
//     quick; Velocity alone (Velocity) runs by default. A missing tool skips
//     the test with how to install it, or fails it when DDNSGEN_LAB=require
//     (see Require and Tools). Each package's TestMain calls Run, which
//     prints one line naming what was skipped and why, also without -v.
//     A failed command fails the test with its command line and
//     everything it printed; Try* variants return that as an error instead.
//   - Every command runs in its own process group under a timeout (one minute
//     for an aws call, three for a deploy or cfn-lint), so a hung tool fails
//     its test rather than hanging the suite.
//   - moto_server is stopped by a tb.Cleanup, also when the test fails, and on
//     Linux is killed with the test binary if that dies first.
//   - Child processes get no AWS_ or proxy variable of the test's own
//     environment: fake credentials, config files in the test's temp dir,
//     region us-east-1 and AWS_ENDPOINT_URL on 127.0.0.1 (see Moto.Env).
//
// moto 5.2 proves less than AWS would. Moto.Deploy, Moto.ListStackResources
// and Moto.Records say where it differs; in short: a change-set deploy
// returns no Outputs, resources are created in template order (DependsOn is
// ignored), API Gateway stages, API keys and usage plans are skipped,
// AllowedPattern and IAM capabilities are not enforced, and record names are
// kept as written.
package lab
