package cfn

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/wafv2"
)

// Logical IDs and outputs of what Config.AccessLogs, Config.Alarms and
// Config.WAFRate add.
const (
	IDAccessLogs         = "AccessLogs"
	IDAccountLogsRole    = "ApiGatewayLogsRole" // Config.AccountLogsRole: account-wide
	IDAccount            = "ApiGatewayAccount"  // Config.AccountLogsRole: account-wide
	IDAlarmTopic         = "AlarmTopic"
	IDAlarmServerErrors  = "AlarmServerErrors"
	IDAlarmRefused       = "AlarmRefused"
	IDAlarmLatency       = "AlarmLatency"
	OutputAccessLogGroup = "AccessLogGroup"
	OutputTailLogs       = "TailAccessLogsCommand"
	OutputAlarmTopic     = "AlarmTopicArn"
)

// Defaults of the operations settings.
const (
	DefaultLogRetentionDays = 90
	// DefaultAlarmServerErrors: one 5XX answer in 5 minutes is worth a
	// mail; each is an update that did not happen.
	DefaultAlarmServerErrors = 1
	// DefaultAlarmRefused: refused requests (4XX) in 5 minutes. A device
	// with a wrong key that calls every 5 minutes stays below it; a host
	// trying keys or names, or a client in a retry loop, does not.
	DefaultAlarmRefused = 20
	// DefaultAlarmLatencyMS: Route 53's average answer time over 5 minutes,
	// three periods in a row. It answers in well under a second.
	DefaultAlarmLatencyMS = 2000
)

// Alarms are CloudWatch alarms on the stage's metrics (AWS/ApiGateway,
// dimensions ApiName and Stage), mailed through an SNS topic. Zero
// thresholds take the defaults shown.
type Alarms struct {
	// Email receives the alarms; it is subscribed to the topic and must
	// confirm the subscription from the mail AWS sends. Empty: no alarms.
	Email string `yaml:"email"`
	// ServerErrors alarms when the 5XX answers in 5 minutes reach it
	// (default 1).
	ServerErrors int `yaml:"server_errors"`
	// Refused alarms when the 4XX answers (refused updates, bad keys,
	// throttled calls) in 5 minutes reach it (default 20).
	Refused int `yaml:"refused"`
	// LatencyMS alarms when Route 53's average answer time (the stage's
	// IntegrationLatency) stays above it for 15 minutes (default 2000).
	LatencyMS int `yaml:"latency_ms"`
}

// logRetentions are the retention periods CloudWatch Logs accepts, in days.
var logRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// emailRE is deliberately narrow: the address is written into the template
// as it is, so it holds no quote, space, $ or brace.
var emailRE = regexpPattern(`^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)

const ruleEmail = "an email address such as ops@example.com: letters, digits and . _ % + - before the @, a domain name after it"

// opsPlan is the validated operations settings.
type opsPlan struct {
	accessLogs  bool
	retention   int
	accountRole bool
	alarms      Alarms // Email "" when off; thresholds filled in
	wafRate     int    // 0 when off
}

// addOps validates the operations settings of c.
func (p *plan) addOps(c Config) error {
	o := &p.ops
	o.accessLogs, o.accountRole = c.AccessLogs, c.AccountLogsRole
	o.retention = c.LogRetentionDays
	if o.retention != 0 && !c.AccessLogs {
		return configError("log_retention_days", strconv.Itoa(o.retention), "keeps access logs: set access_logs too")
	}
	if o.accountRole && !c.AccessLogs {
		return configError("account_logs_role", "true", "is the role API Gateway writes access logs with: set access_logs too")
	}
	if o.retention == 0 {
		o.retention = DefaultLogRetentionDays
	}
	if !slices.Contains(logRetentions, o.retention) {
		var days []string
		for _, d := range logRetentions {
			days = append(days, strconv.Itoa(d))
		}
		return configError("log_retention_days", strconv.Itoa(o.retention),
			"CloudWatch Logs keeps logs for one of "+strings.Join(days, ", ")+" days")
	}

	a := c.Alarms
	if a.Email == "" {
		for _, t := range []struct {
			field string
			v     int
		}{{"alarms.server_errors", a.ServerErrors}, {"alarms.refused", a.Refused}, {"alarms.latency_ms", a.LatencyMS}} {
			if t.v != 0 {
				return configError(t.field, strconv.Itoa(t.v), "an alarm needs somewhere to send it: set alarms.email too")
			}
		}
	} else {
		if len(a.Email) > 254 || !emailRE.MatchString(a.Email) {
			return configError("alarms.email", a.Email, ruleEmail)
		}
		if a.ServerErrors == 0 {
			a.ServerErrors = DefaultAlarmServerErrors
		}
		if a.Refused == 0 {
			a.Refused = DefaultAlarmRefused
		}
		if a.LatencyMS == 0 {
			a.LatencyMS = DefaultAlarmLatencyMS
		}
		for _, t := range []struct {
			field    string
			v, max   int
			unitRule string
		}{
			{"alarms.server_errors", a.ServerErrors, 1000000, "5XX answers in 5 minutes"},
			{"alarms.refused", a.Refused, 1000000, "4XX answers in 5 minutes"},
			// API Gateway gives up on an integration after 29 seconds.
			{"alarms.latency_ms", a.LatencyMS, 29000, "milliseconds (API Gateway waits at most 29,000)"},
		} {
			if t.v < 1 || t.v > t.max {
				return configError(t.field, strconv.Itoa(t.v), fmt.Sprintf("must be from 1 to %d %s", t.max, t.unitRule))
			}
		}
	}
	o.alarms = a

	o.wafRate = c.WAFRate
	if o.wafRate != 0 && (o.wafRate < MinWAFRate || o.wafRate > MaxWAFRate) {
		return configError("waf_rate", strconv.Itoa(o.wafRate), fmt.Sprintf(
			"AWS WAF counts each source address's requests over 5 minutes, and the limit is from %d to %d", MinWAFRate, MaxWAFRate))
	}
	return nil
}

// checkAccount: the account's API Gateway setting is one per account and
// region, so a template sets it at most once.
func (p *plan) checkAccount(t *cloudformation.Template) error {
	if !p.ops.accountRole {
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		if t.Resources[id].AWSCloudFormationType() == "AWS::ApiGateway::Account" {
			return configError("account_logs_role", "true", "the template already sets the account's API Gateway CloudWatch role ("+id+"): one per account and region, so leave it off here")
		}
	}
	return nil
}

// resources is how many resources the operations settings add.
func (o opsPlan) resources() int {
	n := 0
	if o.accessLogs {
		n++ // the log group
		if o.accountRole {
			n += 2 // the role and the account setting
		}
	}
	if o.alarms.Email != "" {
		n += 4 // the topic and three alarms
	}
	if o.wafRate != 0 {
		n += 2 // the web ACL and its association
	}
	return n
}

// field names the first operations setting that is on, for formats that
// cannot carry them, or "".
func (o opsPlan) field() (field, value string) {
	switch {
	case o.accessLogs:
		return "access_logs", "true"
	case o.alarms.Email != "":
		return "alarms.email", o.alarms.Email
	case o.wafRate != 0:
		return "waf_rate", strconv.Itoa(o.wafRate)
	}
	return "", ""
}

// accessLogFields make up the access log's line: one JSON object per
// request, written as a Fn::Join of the fields by commas (a line each in the
// template; API Gateway takes the format as one line). It leaves out the
// query string and every header: a dyndns2 client may put its password in
// either (the Authorization header, or ?password= for routers that can do
// nothing else). The device is the API key id: the key's name,
// STACK-DEVICE, is one get-api-key away. dyndns2 calls carry no key, and
// their user name is in the Authorization header: not logged.
var accessLogFields = []string{
	`{"time":"$context.requestTime"`,
	`"requestId":"$context.requestId"`,
	`"ip":"$context.identity.sourceIp"`,
	`"apiKeyId":"$context.identity.apiKeyId"`,
	`"method":"$context.httpMethod"`,
	`"resourcePath":"$context.resourcePath"`,
	`"status":"$context.status"`,
	`"error":"$context.error.responseType"`,
	`"integrationStatus":"$context.integration.status"`,
	`"integrationLatency":"$context.integration.latency"`,
	`"responseLatency":"$context.responseLatency"`,
	`"waf":"$context.wafResponseCode"}`,
}

// ops adds what the operations settings ask for: access logs, alarms and
// the web ACL. It runs after the stage exists.
func (b *builder) ops() {
	o := b.p.ops
	if o.accessLogs {
		b.accessLogs()
	}
	if o.alarms.Email != "" {
		b.alarms()
	}
	if o.wafRate != 0 {
		b.waf()
	}
}

func (b *builder) accessLogs() {
	p := b.p
	// The log is a record of who changed DNS: it outlives the stack (its
	// events still expire after the retention period).
	b.t.Resources[b.id(IDAccessLogs)] = &logs.LogGroup{
		RetentionInDays:                      cloudformation.Int(p.ops.retention),
		Tags:                                 p.tags,
		AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy("Retain"),
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy("Retain"),
	}
	stage := b.t.Resources[b.id(IDStage)].(*apigateway.Stage)
	stage.AccessLogSetting = &apigateway.Stage_AccessLogSetting{
		// The group's ARN without the ":*" its Arn attribute ends with.
		DestinationArn: cloudformation.String(cloudformation.Sub(
			"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${" + b.id(IDAccessLogs) + "}")),
		Format: cloudformation.String(cloudformation.Join(",", accessLogFields)),
	}
	if p.ops.accountRole {
		// Account-wide: API Gateway writes every API's logs in this region
		// with this role. Kept when the stack goes, so that other stacks'
		// logs do not stop with it.
		b.t.Resources[b.id(IDAccountLogsRole)] = &iam.Role{
			Description: cloudformation.String("API Gateway writes CloudWatch logs with this role, for every API of the account in this region"),
			AssumeRolePolicyDocument: PolicyDocument{Version: "2012-10-17", Statement: []Statement{{
				Effect: "Allow", Principal: map[string]string{"Service": "apigateway.amazonaws.com"}, Action: "sts:AssumeRole",
			}}},
			// The actions of AWS's managed policy
			// AmazonAPIGatewayPushToCloudWatchLogs, written out.
			Policies: []iam.Role_Policy{{
				PolicyName: "push-to-cloudwatch-logs",
				PolicyDocument: map[string]any{
					"Version": "2012-10-17",
					"Statement": []any{map[string]any{
						"Effect": "Allow",
						"Action": []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
							"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"},
						"Resource": "*",
					}},
				},
			}},
			Tags:                                 p.tags,
			AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy("Retain"),
			AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy("Retain"),
		}
		b.t.Resources[b.id(IDAccount)] = &apigateway.Account{
			CloudWatchRoleArn: cloudformation.String(cloudformation.GetAtt(b.id(IDAccountLogsRole), "Arn")),
		}
		// A stage with access logs is refused until the account has a role.
		stage.AWSCloudFormationDependsOn = append(stage.AWSCloudFormationDependsOn, b.id(IDAccount))
	}
	b.t.Outputs[b.id(OutputAccessLogGroup)] = cloudformation.Output{
		Description: cloudformation.String("The access log group: one JSON line per request (no query string, no headers)"),
		Value:       cloudformation.Ref(b.id(IDAccessLogs)),
	}
	b.t.Outputs[b.id(OutputTailLogs)] = cloudformation.Output{
		Description: cloudformation.String("Follows the access log"),
		Value:       cloudformation.Sub("aws logs tail ${" + b.id(IDAccessLogs) + "} --follow --format short --region ${AWS::Region}"),
	}
}

func (b *builder) alarms() {
	p := b.p
	a := p.ops.alarms
	b.t.Resources[b.id(IDAlarmTopic)] = &sns.Topic{
		DisplayName:  cloudformation.String("Dynamic DNS alarms"),
		Subscription: []sns.Topic_Subscription{{Protocol: "email", Endpoint: a.Email}},
		Tags:         p.tags,
	}
	topic := []string{cloudformation.Ref(b.id(IDAlarmTopic))}
	dims := []cloudwatch.Alarm_Dimension{{Name: "ApiName", Value: p.apiName}, {Name: "Stage", Value: p.stage}}
	alarm := func(id, metric, statistic, desc string, threshold, periods int) {
		b.t.Resources[b.id(id)] = &cloudwatch.Alarm{
			AlarmDescription:   cloudformation.String(desc),
			Namespace:          cloudformation.String("AWS/ApiGateway"),
			MetricName:         cloudformation.String(metric),
			Dimensions:         dims,
			Statistic:          cloudformation.String(statistic),
			Period:             cloudformation.Int(300),
			EvaluationPeriods:  periods,
			Threshold:          cloudformation.Float64(float64(threshold)),
			ComparisonOperator: "GreaterThanOrEqualToThreshold",
			// No requests, no data: that is not a fault.
			TreatMissingData: cloudformation.String("notBreaching"),
			AlarmActions:     topic,
			OKActions:        topic,
			Tags:             p.tags,
		}
	}
	where := "API " + p.apiName + ", stage " + p.stage
	alarm(IDAlarmServerErrors, "5XXError", "Sum", fmt.Sprintf(
		"%s: %d or more 5XX answers in 5 minutes (Route 53 failed or refused the role: updates did not happen)", where, a.ServerErrors),
		a.ServerErrors, 1)
	alarm(IDAlarmRefused, "4XXError", "Sum", fmt.Sprintf(
		"%s: %d or more refused requests (4XX: bad key, name or address, throttled) in 5 minutes", where, a.Refused),
		a.Refused, 1)
	alarm(IDAlarmLatency, "IntegrationLatency", "Average", fmt.Sprintf(
		"%s: Route 53 answered in %d ms or more on average for 15 minutes", where, a.LatencyMS),
		a.LatencyMS, 3)
	b.t.Outputs[b.id(OutputAlarmTopic)] = cloudformation.Output{
		Description: cloudformation.String("The SNS topic the alarms go to (confirm the subscription from the mail AWS sends " + a.Email + ")"),
		Value:       cloudformation.Ref(b.id(IDAlarmTopic)),
	}
}

// samOps moves what ops() set on the Stage to the AWS::Serverless::Api that
// replaces it in a SAM template, and points the web ACL at SAM's stage.
func (b *builder) samOps(api *serverless.Api, stage *apigateway.Stage) {
	if l := stage.AccessLogSetting; l != nil {
		api.AccessLogSetting = &serverless.Api_AccessLogSetting{DestinationArn: l.DestinationArn, Format: l.Format}
	}
	// SAM gives the API's DependsOn to the RestApi it makes, which its
	// Deployment and Stage refer to: the account's role comes first.
	api.AWSCloudFormationDependsOn = stage.AWSCloudFormationDependsOn
	if assoc, ok := b.t.Resources[b.id(IDWebACLAssociation)].(*wafv2.WebACLAssociation); ok {
		// RestApi.Stage is SAM's name for the stage it makes.
		assoc.ResourceArn = cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${" + b.id(IDRestAPI) +
			"}/stages/${" + b.id(IDRestAPI) + ".Stage}")
	}
}
