package lab

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Deploy deploys a template file as the README tells a user to:
//
//	aws cloudformation deploy --template-file PATH --stack-name NAME \
//	    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM \
//	    --parameter-overrides K1=V1 K2=V2   (sorted by key; left out when params is empty)
//
// then checks with describe-stacks that the stack is CREATE_COMPLETE (or
// UPDATE_COMPLETE when the stack existed) and returns its outputs by key. Any
// other result fails the test with the CLI's output, the stack's status and
// what moto printed meanwhile. Resource types moto skipped are logged.
//
// What moto 5.2 proves here, and what it does not:
//   - The map is empty under moto: `deploy` always goes through a change set,
//     and moto builds a stack's Outputs only for create-stack/update-stack.
//     Read physical ids with ListStackResources instead.
//   - moto creates resources in the order the template lists them and
//     ignores DependsOn on this path: list a Deployment after its Methods.
//   - moto does not enforce a parameter's AllowedPattern, does not check that
//     an AWS::Route53::HostedZone::Id exists, and does not require
//     --capabilities for IAM resources; real CloudFormation does all three.
//   - A stack update changes only what moto implements for that resource
//     type: an AWS::IAM::Role keeps its first inline Policies (moto updates a
//     role's description and session length only), though the stack reports
//     UPDATE_COMPLETE and the new parameter values.
//   - moto skips AWS::ApiGateway::Stage, ApiKey, UsagePlan and UsagePlanKey
//     (see SkippedResourceTypes). Of a Method's AWS integration it keeps the
//     type, HTTP method and URI, but not its credentials, request parameters
//     or mapping templates (as get-method shows).
//   - Re-deploying an unchanged template fails: moto rejects the change set
//     at CreateChangeSet with "No updates are to be performed.", even with
//     --no-fail-on-empty-changeset. (Real CloudFormation fails the change set
//     instead; the CLI then exits 255 with "No changes to deploy", or 0 with
//     that flag.)
func (m *Moto) Deploy(tb testing.TB, templatePath, stackName string, params map[string]string) map[string]string {
	tb.Helper()
	outputs, err := m.TryDeploy(tb, templatePath, stackName, params)
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	return outputs
}

// TryDeploy is Deploy for templates that may fail to deploy: it returns the
// error instead of failing the test. The error names the template and stack
// and holds the CLI's stdout and stderr, the stack's status when there is a
// stack, and moto's warnings and errors printed during the deploy.
func (m *Moto) TryDeploy(tb testing.TB, templatePath, stackName string, params map[string]string) (map[string]string, error) {
	tb.Helper()
	Require(tb, "aws")
	args, err := deployArgs(templatePath, stackName, params)
	if err != nil {
		return nil, err
	}
	// Real CloudFormation takes a template over 51,200 bytes only from S3
	// (deploy --s3-bucket). moto 5.2 cannot read one back from its own S3
	// (deploy --s3-bucket answers NoSuchBucket: it looks for the bucket in
	// an amazonaws.com URL), so the lab creates such a stack with
	// create-stack and the body itself, which moto does not size-check.
	if fi, err := os.Stat(templatePath); err == nil && fi.Size() > maxInlineTemplate {
		args = createStackArgs(templatePath, stackName, params)
		tb.Logf("lab: %s is %d bytes, over the 51,200 of an inline template: create-stack with the body (real AWS: deploy --s3-bucket)", templatePath, fi.Size())
		if _, _, err := run(deployTimeout, m.Env(), "aws", args...); err != nil {
			return nil, fmt.Errorf("create-stack %s as stack %q failed:\n%v", templatePath, stackName, err)
		}
		args = []string{"cloudformation", "wait", "stack-create-complete", "--stack-name", stackName}
	}
	logStart := m.logSize()
	_, _, err = run(deployTimeout, m.Env(), "aws", args...)
	motoSaid := m.Log()
	if logStart <= len(motoSaid) {
		motoSaid = motoSaid[logStart:]
	}
	if skipped := skippedTypes(motoSaid); len(skipped) > 0 {
		tb.Logf("lab: moto created nothing for %s in stack %q (moto's CloudFormation does not support them); check them another way",
			strings.Join(skipped, ", "), stackName)
	}
	if err != nil {
		return nil, fmt.Errorf("deploy %s as stack %q failed:\n%v%s%s",
			templatePath, stackName, err, m.stackStatusNote(stackName), motoNote(motoSaid))
	}

	stack, err := m.describeStack(stackName)
	if err != nil {
		return nil, fmt.Errorf("deploy %s as stack %q: the CLI succeeded, but describe-stacks failed:\n%v", templatePath, stackName, err)
	}
	if stack.StackStatus != "CREATE_COMPLETE" && stack.StackStatus != "UPDATE_COMPLETE" {
		return nil, fmt.Errorf("deploy %s as stack %q: the CLI succeeded, but the stack is %s%s (want CREATE_COMPLETE or UPDATE_COMPLETE)%s",
			templatePath, stackName, stack.StackStatus, reasonNote(stack.StackStatusReason), motoNote(motoSaid))
	}
	outputs := make(map[string]string, len(stack.Outputs))
	for _, o := range stack.Outputs {
		outputs[o.OutputKey] = o.OutputValue
	}
	return outputs, nil
}

// maxInlineTemplate is the largest template `aws cloudformation deploy`
// takes without --s3-bucket.
const maxInlineTemplate = 51200

// createStackArgs is create-stack with the template body, for templates
// too large for deploy without S3.
func createStackArgs(templatePath, stackName string, params map[string]string) []string {
	args := []string{"cloudformation", "create-stack", "--stack-name", stackName,
		"--template-body", "file://" + templatePath,
		"--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}
	if len(params) > 0 {
		args = append(args, "--parameters")
		for _, name := range slices.Sorted(maps.Keys(params)) {
			args = append(args, "ParameterKey="+name+",ParameterValue="+params[name])
		}
	}
	return args
}

// deployArgs is the aws command line Deploy runs: parameters sorted by name,
// so a failure message is the same from run to run.
func deployArgs(templatePath, stackName string, params map[string]string) ([]string, error) {
	args := []string{"cloudformation", "deploy",
		"--template-file", templatePath,
		"--stack-name", stackName,
		"--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM",
	}
	if len(params) == 0 {
		return args, nil
	}
	args = append(args, "--parameter-overrides")
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if name == "" || strings.Contains(name, "=") {
			return nil, fmt.Errorf("deploy %s as stack %q: parameter name %q is empty or contains '='", templatePath, stackName, name)
		}
		args = append(args, name+"="+params[name])
	}
	return args, nil
}

// stackDescription is the part of describe-stacks' answer the lab reads.
type stackDescription struct {
	StackName         string
	StackStatus       string
	StackStatusReason string
	Outputs           []struct {
		OutputKey   string
		OutputValue string
	}
}

func (m *Moto) describeStack(stackName string) (stackDescription, error) {
	stdout, _, err := run(awsTimeout, m.Env(), "aws", "cloudformation", "describe-stacks", "--stack-name", stackName)
	if err != nil {
		return stackDescription{}, err
	}
	var described struct{ Stacks []stackDescription }
	if err := json.Unmarshal(stdout, &described); err != nil {
		return stackDescription{}, fmt.Errorf("read describe-stacks' answer: %v\n%s", err, stdout)
	}
	if len(described.Stacks) != 1 {
		return stackDescription{}, fmt.Errorf("describe-stacks --stack-name %s listed %d stacks, want 1:\n%s", stackName, len(described.Stacks), stdout)
	}
	return described.Stacks[0], nil
}

// stackStatusNote says what state a failed deploy left the stack in, or
// nothing if there is no such stack.
func (m *Moto) stackStatusNote(stackName string) string {
	stack, err := m.describeStack(stackName)
	if err != nil {
		return fmt.Sprintf("\nstack %q: no status (describe-stacks failed)", stackName)
	}
	note := fmt.Sprintf("\nstack %q is %s%s", stackName, stack.StackStatus, reasonNote(stack.StackStatusReason))
	if stack.StackStatus == "REVIEW_IN_PROGRESS" {
		note += " (its change set was never executed)"
	}
	return note
}

func reasonNote(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// accessLogLine matches moto_server's per-request log lines, which carry
// nothing a failure needs.
var accessLogLine = regexp.MustCompile(`^127\.0\.0\.1 - - \[[^\]]*\] "`)

// motoNote is what moto printed besides its request log, for a failure
// message.
func motoNote(printed string) string {
	var kept []string
	for _, line := range strings.Split(printed, "\n") {
		if strings.TrimSpace(line) != "" && !accessLogLine.MatchString(line) {
			kept = append(kept, line)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	return "\n--- moto_server meanwhile ---\n" + lastLines(strings.Join(kept, "\n"), 100)
}

// ListStackResources maps each resource's logical id to its physical id, as
// `aws cloudformation list-stack-resources` reports them (e.g. "Api" → the
// REST API's id, "Role" → the role's name).
//
// Under moto 5.2 a Method and a Deployment have an empty physical id, and a
// resource moto skipped (see SkippedResourceTypes) is listed with no logical
// id at all, so it is not in the map.
func (m *Moto) ListStackResources(tb testing.TB, stackName string) map[string]string {
	tb.Helper()
	out := m.AWS(tb, "cloudformation", "list-stack-resources", "--stack-name", stackName)
	var listed struct {
		StackResourceSummaries []struct {
			LogicalResourceId  string
			PhysicalResourceId string
		}
	}
	if err := json.Unmarshal(out, &listed); err != nil {
		tb.Fatalf("lab: read list-stack-resources' answer: %v\n%s", err, out)
	}
	resources := make(map[string]string, len(listed.StackResourceSummaries))
	for _, r := range listed.StackResourceSummaries {
		if r.LogicalResourceId != "" {
			resources[r.LogicalResourceId] = r.PhysicalResourceId
		}
	}
	return resources
}
