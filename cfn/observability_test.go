package cfn_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/wafv2"
	"github.com/google/go-cmp/cmp"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// build is in domain_test.go.

// resourcesOf lists the template's resources of a type, by logical ID.
func resourcesOf(tmpl *cloudformation.Template, typ string) []string {
	var ids []string
	for id, r := range tmpl.Resources {
		if r.AWSCloudFormationType() == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// text is a template's value as CloudFormation makes it: a string, a
// Fn::Sub's string (its ${} kept) or a Fn::Join of such values, joined.
func text(t *testing.T, v json.RawMessage) string {
	t.Helper()
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var fn struct {
		Sub  *string           `json:"Fn::Sub"`
		Join []json.RawMessage `json:"Fn::Join"`
	}
	var sep string
	var parts []json.RawMessage
	switch {
	case json.Unmarshal(v, &fn) != nil:
	case fn.Sub != nil:
		return *fn.Sub
	case len(fn.Join) == 2 && json.Unmarshal(fn.Join[0], &sep) == nil && json.Unmarshal(fn.Join[1], &parts) == nil:
		words := make([]string, len(parts))
		for i, p := range parts {
			words[i] = text(t, p)
		}
		return strings.Join(words, sep)
	}
	t.Fatalf("not a string, a Fn::Sub or a Fn::Join of them: %s", v)
	return ""
}

// templateJSON is tmpl as cfn.JSON writes it, read into v.
func templateJSON(t *testing.T, tmpl *cloudformation.Template, v any) {
	t.Helper()
	j, err := cfn.JSON(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j, v); err != nil {
		t.Fatal(err)
	}
}

// outputText is the text of the template's output name.
func outputText(t *testing.T, tmpl *cloudformation.Template, name string) string {
	t.Helper()
	var doc struct {
		Outputs map[string]struct{ Value json.RawMessage }
	}
	templateJSON(t, tmpl, &doc)
	return text(t, doc.Outputs[name].Value)
}

// accessLogFormat is the access log format the template deploys with (its
// stage's, or its Serverless::Api's).
func accessLogFormat(t *testing.T, tmpl *cloudformation.Template) string {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Properties struct {
				AccessLogSetting struct{ Format json.RawMessage }
			}
		}
	}
	templateJSON(t, tmpl, &doc)
	for _, r := range doc.Resources {
		if f := r.Properties.AccessLogSetting.Format; f != nil {
			return text(t, f)
		}
	}
	t.Fatal("no access log format")
	return ""
}

// TestAccessLogFormat: one JSON object per request with the fields an
// operator needs, and nothing that can hold a credential: no query string,
// no header, no path with its query.
func TestAccessLogFormat(t *testing.T) {
	tmpl := build(t, cfn.Config{AccessLogs: true, DynDNS2: true})
	stage := tmpl.Resources[cfn.IDStage].(*apigateway.Stage)
	if stage.AccessLogSetting == nil {
		t.Fatal("the stage has no AccessLogSetting")
	}
	format := accessLogFormat(t, tmpl)
	var fields map[string]string
	if err := json.Unmarshal([]byte(format), &fields); err != nil {
		t.Fatalf("the format is not one JSON object: %v\n%s", err, format)
	}
	want := map[string]string{
		"time":               "$context.requestTime",
		"requestId":          "$context.requestId",
		"ip":                 "$context.identity.sourceIp",
		"apiKeyId":           "$context.identity.apiKeyId",
		"method":             "$context.httpMethod",
		"resourcePath":       "$context.resourcePath",
		"status":             "$context.status",
		"error":              "$context.error.responseType",
		"integrationStatus":  "$context.integration.status",
		"integrationLatency": "$context.integration.latency",
		"responseLatency":    "$context.responseLatency",
		"waf":                "$context.wafResponseCode",
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("access log fields (-want +got):\n%s", diff)
	}
	low := strings.ToLower(format)
	for _, never := range []string{"querystring", "authorization", "header", "$context.path", "$input", "$method", "requestoverride", "stagevariables"} {
		if strings.Contains(low, never) {
			t.Errorf("the access log format mentions %q: it could log a credential", never)
		}
	}
	group, ok := tmpl.Resources[cfn.IDAccessLogs].(*logs.LogGroup)
	if !ok {
		t.Fatalf("no AWS::Logs::LogGroup %s", cfn.IDAccessLogs)
	}
	if *group.RetentionInDays != 90 {
		t.Errorf("retention %d days, want the default 90", *group.RetentionInDays)
	}
	if group.AWSCloudFormationDeletionPolicy != "Retain" {
		t.Errorf("the log group's DeletionPolicy is %q: deleting the stack would delete the record of who changed DNS", group.AWSCloudFormationDeletionPolicy)
	}
	wantArn := cloudformation.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${AccessLogs}")
	if *stage.AccessLogSetting.DestinationArn != wantArn {
		t.Errorf("DestinationArn %q, want the log group's ARN %q", *stage.AccessLogSetting.DestinationArn, wantArn)
	}
	for _, o := range []string{cfn.OutputAccessLogGroup, cfn.OutputTailLogs} {
		if _, ok := tmpl.Outputs[o]; !ok {
			t.Errorf("no output %s", o)
		}
	}
	// Without access logs: no log group, no setting, no outputs.
	plain := build(t, cfn.Config{})
	if ids := resourcesOf(plain, "AWS::Logs::LogGroup"); len(ids) > 0 || plain.Resources[cfn.IDStage].(*apigateway.Stage).AccessLogSetting != nil {
		t.Errorf("a stack without AccessLogs has log groups %v or an access log setting", ids)
	}
	thirty := build(t, cfn.Config{AccessLogs: true, LogRetentionDays: 30})
	if d := *thirty.Resources[cfn.IDAccessLogs].(*logs.LogGroup).RetentionInDays; d != 30 {
		t.Errorf("LogRetentionDays 30 gave %d", d)
	}
}

// TestAccountLogsRole: the account-wide setting is never made unless asked
// for; when it is, the role outlives the stack and the stage waits for it.
func TestAccountLogsRole(t *testing.T) {
	for _, c := range []cfn.Config{{}, {AccessLogs: true}, {AccessLogs: true, Alarms: cfn.Alarms{Email: "a@example.com"}, WAFRate: 100}} {
		if ids := resourcesOf(build(t, c), "AWS::ApiGateway::Account"); len(ids) > 0 {
			t.Errorf("%+v: the template sets the account-wide API Gateway setting (%v) without AccountLogsRole", c, ids)
		}
	}
	tmpl := build(t, cfn.Config{AccessLogs: true, AccountLogsRole: true})
	account, ok := tmpl.Resources[cfn.IDAccount].(*apigateway.Account)
	if !ok {
		t.Fatalf("no AWS::ApiGateway::Account %s", cfn.IDAccount)
	}
	if want := cloudformation.GetAtt(cfn.IDAccountLogsRole, "Arn"); *account.CloudWatchRoleArn != want {
		t.Errorf("CloudWatchRoleArn %q, want %q", *account.CloudWatchRoleArn, want)
	}
	role := tmpl.Resources[cfn.IDAccountLogsRole].(*iam.Role)
	if role.AWSCloudFormationDeletionPolicy != "Retain" || role.AWSCloudFormationUpdateReplacePolicy != "Retain" {
		t.Error("the account's logs role is deleted with the stack: every other API's logging in the region would stop")
	}
	j, _ := json.Marshal(role.Policies)
	for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups"} {
		if !strings.Contains(string(j), `"`+action+`"`) {
			t.Errorf("the logs role may not %s: %s", action, j)
		}
	}
	// Two stacks in one template: only one may set the account's role.
	two := cloudformation.NewTemplate()
	if _, err := cfn.AddTo(two, cfn.Config{Prefix: "Home", AccessLogs: true, AccountLogsRole: true}); err != nil {
		t.Fatal(err)
	}
	_, err := cfn.AddTo(two, cfn.Config{Prefix: "Office", AccessLogs: true, AccountLogsRole: true})
	if want := `account_logs_role "true": the template already sets the account's API Gateway CloudWatch role (HomeApiGatewayAccount)`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a second account setting: %v\nwant %q", err, want)
	}
	if _, err := cfn.AddTo(two, cfn.Config{Prefix: "Office", AccessLogs: true}); err != nil {
		t.Errorf("a second stack with access logs alone: %v", err)
	}
	stage := tmpl.Resources[cfn.IDStage].(*apigateway.Stage)
	if !slices.Contains(stage.AWSCloudFormationDependsOn, cfn.IDAccount) {
		t.Errorf("the stage DependsOn %v, not the account setting: CloudFormation could create it first and API Gateway refuse its access log", stage.AWSCloudFormationDependsOn)
	}
}

// TestAlarms: an SNS topic mailing the address, and three alarms on the
// stage's own metrics.
func TestAlarms(t *testing.T) {
	tmpl := build(t, cfn.Config{APIName: "Home DNS", Stage: "v1", Alarms: cfn.Alarms{Email: "ops+dns@example.com", Refused: 50}})
	topic := tmpl.Resources[cfn.IDAlarmTopic].(*sns.Topic)
	if diff := cmp.Diff([]sns.Topic_Subscription{{Protocol: "email", Endpoint: "ops+dns@example.com"}}, topic.Subscription); diff != "" {
		t.Errorf("subscription (-want +got):\n%s", diff)
	}
	type alarm struct {
		metric, statistic string
		threshold         float64
		periods           int
	}
	want := map[string]alarm{
		cfn.IDAlarmServerErrors: {"5XXError", "Sum", 1, 1},
		cfn.IDAlarmRefused:      {"4XXError", "Sum", 50, 1},
		cfn.IDAlarmLatency:      {"IntegrationLatency", "Average", 2000, 3},
	}
	if got := resourcesOf(tmpl, "AWS::CloudWatch::Alarm"); len(got) != len(want) {
		t.Errorf("alarms %v, want %d", got, len(want))
	}
	for id, w := range want {
		a, ok := tmpl.Resources[id].(*cloudwatch.Alarm)
		if !ok {
			t.Errorf("no alarm %s", id)
			continue
		}
		got := alarm{*a.MetricName, *a.Statistic, *a.Threshold, a.EvaluationPeriods}
		if got != w {
			t.Errorf("%s: %+v, want %+v", id, got, w)
		}
		if *a.Namespace != "AWS/ApiGateway" || *a.Period != 300 || a.ComparisonOperator != "GreaterThanOrEqualToThreshold" {
			t.Errorf("%s: namespace %s, period %d, %s", id, *a.Namespace, *a.Period, a.ComparisonOperator)
		}
		wantDims := []cloudwatch.Alarm_Dimension{{Name: "ApiName", Value: "Home DNS"}, {Name: "Stage", Value: "v1"}}
		if diff := cmp.Diff(wantDims, a.Dimensions); diff != "" {
			t.Errorf("%s: dimensions (-want +got):\n%s", id, diff)
		}
		if !slices.Equal(a.AlarmActions, []string{cloudformation.Ref(cfn.IDAlarmTopic)}) {
			t.Errorf("%s: AlarmActions %v, want the topic", id, a.AlarmActions)
		}
		if a.TreatMissingData == nil || *a.TreatMissingData != "notBreaching" {
			t.Errorf("%s: a quiet night (no requests, no data) would alarm", id)
		}
	}
	if len(resourcesOf(build(t, cfn.Config{}), "AWS::SNS::Topic")) > 0 {
		t.Error("a stack without an alarm address has a topic")
	}
}

// TestWebACL: a regional web ACL that allows by default and blocks one
// address above the rate, associated with the stage.
func TestWebACL(t *testing.T) {
	tmpl := build(t, cfn.Config{WAFRate: 100})
	acl := tmpl.Resources[cfn.IDWebACL].(*wafv2.WebACL)
	if acl.Scope != "REGIONAL" || acl.DefaultAction == nil || acl.DefaultAction.Allow == nil || acl.DefaultAction.Block != nil {
		t.Errorf("scope %s, default action %+v: want REGIONAL and Allow", acl.Scope, acl.DefaultAction)
	}
	if len(acl.Rules) != 1 {
		t.Fatalf("%d rules, want 1 (each costs $1 a month)", len(acl.Rules))
	}
	r := acl.Rules[0]
	rate := r.Statement.RateBasedStatement
	if rate == nil || rate.Limit != 100 || rate.AggregateKeyType != "IP" || rate.EvaluationWindowSec == nil || *rate.EvaluationWindowSec != 300 {
		t.Errorf("rate statement %+v: want 100 per 300 s per IP", rate)
	}
	if r.Action == nil || r.Action.Block == nil || r.Action.Block.CustomResponse == nil || r.Action.Block.CustomResponse.ResponseCode != 429 {
		t.Errorf("rule action %+v: want Block with 429", r.Action)
	}
	for _, v := range []*wafv2.WebACL_VisibilityConfig{acl.VisibilityConfig, r.VisibilityConfig} {
		if v == nil || !v.CloudWatchMetricsEnabled || !v.SampledRequestsEnabled || v.MetricName == "" {
			t.Errorf("visibility %+v: want metrics and sampled requests", v)
		}
	}
	assoc := tmpl.Resources[cfn.IDWebACLAssociation].(*wafv2.WebACLAssociation)
	if want := cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestApi}/stages/${Stage}"); assoc.ResourceArn != want {
		t.Errorf("ResourceArn %q, want %q", assoc.ResourceArn, want)
	}
	if want := cloudformation.GetAtt(cfn.IDWebACL, "Arn"); assoc.WebACLArn != want {
		t.Errorf("WebACLArn %q, want %q", assoc.WebACLArn, want)
	}

	// A prefix reaches the logical IDs and the metric names.
	prefixed := cloudformation.NewTemplate()
	if _, err := cfn.AddTo(prefixed, cfn.Config{Prefix: "Home", WAFRate: 10}); err != nil {
		t.Fatal(err)
	}
	stack, err := cfn.AddTo(cloudformation.NewTemplate(), cfn.Config{Prefix: "Home", WAFRate: 10, AccessLogs: true, Alarms: cfn.Alarms{Email: "a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if stack.WebACL != "HomeWebAcl" || stack.AccessLogs != "HomeAccessLogs" || stack.AlarmTopic != "HomeAlarmTopic" {
		t.Errorf("AddTo's Stack names %q, %q, %q", stack.WebACL, stack.AccessLogs, stack.AlarmTopic)
	}
	pacl, ok := prefixed.Resources["HomeWebAcl"].(*wafv2.WebACL)
	if !ok || pacl.VisibilityConfig.MetricName != cloudformation.Sub("${AWS::StackName}-Homeddns") {
		t.Errorf("prefixed web ACL %v, metric %v", ok, pacl)
	}
	passoc := prefixed.Resources["HomeWebAclAssociation"].(*wafv2.WebACLAssociation)
	if passoc.ResourceArn != cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${HomeRestApi}/stages/${HomeStage}") {
		t.Errorf("prefixed association %q", passoc.ResourceArn)
	}
}

// TestOpsBadInput: every refused value names its field, the value and the
// rule.
func TestOpsBadInput(t *testing.T) {
	cases := []struct {
		c    cfn.Config
		want string
	}{
		{cfn.Config{AccessLogs: true, LogRetentionDays: 42}, `log_retention_days "42": CloudWatch Logs keeps logs for one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days`},
		{cfn.Config{AccessLogs: true, LogRetentionDays: -1}, `log_retention_days "-1": CloudWatch Logs keeps logs for one of 1, 3,`},
		{cfn.Config{LogRetentionDays: 30}, `log_retention_days "30": keeps access logs: set access_logs too`},
		{cfn.Config{AccountLogsRole: true}, `account_logs_role "true": is the role API Gateway writes access logs with: set access_logs too`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "ops"}}, `alarms.email "ops": an email address such as ops@example.com`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "ops@localhost"}}, `alarms.email "ops@localhost": an email address`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "a b@example.com"}}, `alarms.email "a b@example.com": an email address`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "${AWS::AccountId}@example.com"}}, `alarms.email "${AWS::AccountId}@example.com": an email address`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "x@example.com'"}}, `alarms.email "x@example.com'": an email address`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "x@-example.com"}}, `alarms.email "x@-example.com": an email address`},
		{cfn.Config{Alarms: cfn.Alarms{Refused: 5}}, `alarms.refused "5": an alarm needs somewhere to send it: set alarms.email too`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "a@example.com", ServerErrors: -1}}, `alarms.server_errors "-1": must be from 1 to 1000000 5XX answers in 5 minutes`},
		{cfn.Config{Alarms: cfn.Alarms{Email: "a@example.com", LatencyMS: 30000}}, `alarms.latency_ms "30000": must be from 1 to 29000 milliseconds (API Gateway waits at most 29,000)`},
		{cfn.Config{WAFRate: 9}, `waf_rate "9": AWS WAF counts each source address's requests over 5 minutes, and the limit is from 10 to 2000000000`},
		{cfn.Config{WAFRate: -5}, `waf_rate "-5": AWS WAF counts`},
		{cfn.Config{WAFRate: 2000000001}, `waf_rate "2000000001": AWS WAF counts`},
	}
	for _, c := range cases {
		_, err := cfn.Build(c.c)
		var ce *cfn.ConfigError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: err = %v\nwant a *ConfigError starting %q", c.c, err, c.want)
		}
	}
	for _, ok := range []string{"ops@example.com", "a.b+c_d%e-f@mail.example.co.uk", "X@EXAMPLE.COM"} {
		if _, err := cfn.Build(cfn.Config{Alarms: cfn.Alarms{Email: ok}}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

// TestOpsSAM: a SAM template carries the access log on the
// AWS::Serverless::Api (SAM copies it to the stage it makes), makes that API
// wait for the account's role, and associates the web ACL with SAM's stage
// (RestApi.Stage). OpenAPI refuses them rather than drop them.
func TestOpsSAM(t *testing.T) {
	tmpl, err := cfn.BuildSAM(cfn.Config{AccessLogs: true, AccountLogsRole: true, Alarms: cfn.Alarms{Email: "a@example.com"}, WAFRate: 10})
	if err != nil {
		t.Fatal(err)
	}
	api := tmpl.Resources[cfn.IDRestAPI].(*serverless.Api)
	if api.AccessLogSetting == nil || !strings.Contains(accessLogFormat(t, tmpl), `"apiKeyId":"$context.identity.apiKeyId"`) {
		t.Errorf("the Serverless::Api's AccessLogSetting is %+v", api.AccessLogSetting)
	}
	if !slices.Equal(api.AWSCloudFormationDependsOn, []string{cfn.IDAccount}) {
		t.Errorf("the Serverless::Api DependsOn %v, want the account setting", api.AWSCloudFormationDependsOn)
	}
	assoc := tmpl.Resources[cfn.IDWebACLAssociation].(*wafv2.WebACLAssociation)
	if want := cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestApi}/stages/${RestApi.Stage}"); assoc.ResourceArn != want {
		t.Errorf("ResourceArn %q, want SAM's stage", assoc.ResourceArn)
	}
	if _, ok := tmpl.Resources[cfn.IDStage]; ok {
		t.Error("the SAM template still has its own Stage")
	}
	if len(resourcesOf(tmpl, "AWS::CloudWatch::Alarm")) != 3 {
		t.Error("the SAM template lacks the alarms")
	}
	for _, c := range []cfn.Config{{AccessLogs: true}, {Alarms: cfn.Alarms{Email: "a@example.com"}}, {WAFRate: 10}} {
		if _, err := cfn.OpenAPI(c, cfn.OpenAPIOptions{RoleARN: "arn:aws:iam::123456789012:role/x"}); err == nil || !strings.Contains(err.Error(), "OpenAPI document holds the API alone") {
			t.Errorf("OpenAPI(%+v): %v", c, err)
		}
	}
}

// TestOpsResourcesCount: access logs, alarms and the web ACL count toward
// the 500 resources, and the device limit says so.
func TestOpsResourcesCount(t *testing.T) {
	all := cfn.Config{AccessLogs: true, AccountLogsRole: true, Alarms: cfn.Alarms{Email: "a@example.com"}, WAFRate: 100}
	devices := func(c cfn.Config, n int) cfn.Config {
		c.Zones = []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("d%03d.example.com", i)
			c.Records = append(c.Records, cfn.Record{Name: name})
			c.Devices = append(c.Devices, cfn.Device{Name: fmt.Sprintf("d%03d", i), Records: []string{name}})
		}
		return c
	}
	// 7 fixed + 9 for operations = 16; (500-16)/2 = 242 devices.
	tmpl, err := cfn.Build(devices(all, 242))
	if err != nil {
		t.Fatalf("242 devices with every operations setting: %v", err)
	}
	if n := len(tmpl.Resources); n != 500 {
		t.Errorf("%d resources, want 500", n)
	}
	_, err = cfn.Build(devices(all, 243))
	want := `devices "243": 243 devices need 502 resources and a stack holds 500: at most 242 devices a stack`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("243 devices: %v\nwant %q", err, want)
	}
	if _, err := cfn.Build(devices(cfn.Config{}, cfn.MaxDevices)); err != nil {
		t.Errorf("without operations settings %d devices still fit: %v", cfn.MaxDevices, err)
	}
}
