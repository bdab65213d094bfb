package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpsBadInput: access logs, alarms and the web ACL refuse bad values
// like every other flag: exit 2, one line naming the flag, the value and
// the rule, nothing on stdout.
func TestOpsBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-access-logs", "-log-retention", "42"}, `-log-retention "42": CloudWatch Logs keeps logs for one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days`},
		{[]string{"-access-logs", "-log-retention", "0"}, `-log-retention "0": CloudWatch Logs keeps logs for one of the periods -h lists`},
		{[]string{"-log-retention", "30"}, `-log-retention "30": keeps access logs: set access_logs too`},
		{[]string{"-account-logs-role"}, `-account-logs-role "true": is the role API Gateway writes access logs with: set access_logs too`},
		{[]string{"-alarm-email", "ops at example.com"}, `-alarm-email "ops at example.com": an email address such as ops@example.com: letters, digits and . _ % + - before the @, a domain name after it`},
		{[]string{"-alarm-email", "ops@example.com</Endpoint>"}, `-alarm-email "ops@example.com</Endpoint>": an email address such as`},
		{[]string{"-alarm-4xx", "5"}, `-alarm-4xx "5": an alarm needs somewhere to send it: set alarms.email too`},
		{[]string{"-alarm-email", "ops@example.com", "-alarm-4xx", "0"}, `-alarm-4xx "0": must be from 1 to 1000000`},
		{[]string{"-alarm-email", "ops@example.com", "-alarm-latency", "60000"}, `-alarm-latency "60000": must be from 1 to 29000 milliseconds (API Gateway waits at most 29,000)`},
		{[]string{"-waf-rate", "5"}, `-waf-rate "5": AWS WAF counts each source address's requests over 5 minutes, and the limit is from 10 to 2000000000`},
		{[]string{"-format", "openapi", "-role-arn", roleARN, "-access-logs"}, `-access-logs "true": an OpenAPI document holds the API alone`},
		{[]string{"-config", "testdata/ops.yaml", "-waf-rate", "100"}, `-waf-rate: cannot be combined with -config (put it in testdata/ops.yaml)`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) { refused(t, c.args, c.want) })
	}
}

// TestOpsConfigFileMatchesFlags: the -config keys give the same template
// as the flags of golden/ops.yaml.
func TestOpsConfigFileMatchesFlags(t *testing.T) {
	var args []string
	for _, c := range goldenCases {
		if c.file == "ops.yaml" {
			args = c.args
		}
	}
	fromFile := generateGolden(t, []string{"-config", "testdata/ops.yaml"})
	fromFlags := generateGolden(t, args)
	if diff := cmp.Diff(string(fromFlags), string(fromFile)); diff != "" {
		t.Errorf("-config testdata/ops.yaml differs from the flags of golden/ops.yaml (-flags +file):\n%s", diff)
	}
}

// TestOpsHelp: -h lists the flags, and says loudly that the account role is
// account-wide.
func TestOpsHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	help := stdout.String()
	for _, flag := range []string{"-access-logs", "-log-retention", "-account-logs-role", "-alarm-email", "-alarm-5xx", "-alarm-4xx", "-alarm-latency", "-waf-rate"} {
		if !strings.Contains(help, "  "+flag) {
			t.Errorf("-h does not list %s", flag)
		}
	}
	i := strings.Index(help, "  -account-logs-role")
	if i < 0 || !strings.Contains(help[i:i+200], "ACCOUNT-WIDE") {
		t.Error("-h does not say -account-logs-role is account-wide")
	}
}
