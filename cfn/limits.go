package cfn

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/ddnsgen/ddnsgen/templates"
)

// CloudFormation's and API Gateway's limits that a generated stack must fit.
const (
	MaxResources       = 500
	MaxOutputs         = 200
	MaxParameters      = 200
	MaxTemplateBytes   = 1 << 20 // a template read from S3
	MaxInlineTemplate  = 51200   // a template passed inline (without --s3-bucket)
	MaxStageVariables  = 100     // per stage; API Gateway does not raise it
	MaxRolePolicy      = 10240   // characters of a role's inline policies, white space aside
	fixedResources     = 7       // RestApi, ZoneResource, UpdateMethod, Deployment, Stage, Role, UsagePlan
	resourcesPerDevice = 2       // ApiKey, UsagePlanKey
)

// MaxDevices is the most devices one stack holds: each device adds an API
// key and its usage-plan membership, and a stack holds 500 resources.
const MaxDevices = (MaxResources - fixedResources) / resourcesPerDevice

// checkDevices refuses more devices than a stack holds before anything is
// built, so that the cost of refusing a thousand devices is small.
func (p *plan) checkDevices() error {
	if p.dyndns2 {
		// Each zone id and each device's password is a stage variable (and
		// a password a parameter, but the 100 variables come first).
		if n := len(p.zones) + len(p.dyndns2Users()); n > MaxStageVariables {
			return configError("devices", strconv.Itoa(len(p.devices)), fmt.Sprintf(
				"with dyndns2 each device's password is a stage variable, and a stage holds %d: at most %d devices with %s",
				MaxStageVariables, MaxStageVariables-len(p.zones), plural(len(p.zones), "zone")))
		}
	}
	// Each name may get an A and an AAAA change: a batch takes 1,000, and a
	// #foreach 1,000 iterations.
	if p.limits.MaxHostnames*p.families() > 1000 {
		return configError("limits.max_hostnames", strconv.Itoa(p.limits.MaxHostnames),
			"with names that take A and AAAA a request may make two changes a name, and a batch takes 1,000: at most 500")
	}
	// Access logs, alarms, the web ACL and GET /myip take some of the 500 too.
	fixed := fixedResources + p.ops.resources()
	if p.myip {
		fixed += 2 // GET /myip's resource and method
	}
	return checkDeviceCount(len(p.devices), fixed)
}

// checkDeviceCount refuses more devices than a stack's resources hold,
// fixed being what the stack takes besides its devices. It needs nothing but
// numbers, so Config.plan calls it (with the API's own) before anything.
func checkDeviceCount(n, fixed int) error {
	if fixed+resourcesPerDevice*n > MaxResources {
		return configError("devices", strconv.Itoa(n), fmt.Sprintf(
			"%d devices need %d resources and a stack holds %d: at most %d devices a stack; split them over several stacks",
			n, fixed+resourcesPerDevice*n, MaxResources, (MaxResources-fixed)/resourcesPerDevice))
	}
	return nil
}

// checkPolicySize: IAM refuses a role whose inline policies are longer than
// 10,240 characters (white space aside). The policy lists each name once per
// statement it is in.
func checkPolicySize(policy PolicyDocument) error {
	j, err := json.Marshal(policy)
	if err != nil {
		return err
	}
	// The ARNs' ${AWS::Partition} and zone placeholders resolve to about the
	// same length; count the policy as written.
	if n := len(j); n > MaxRolePolicy {
		return configError("records", strconv.Itoa(n)+" characters of role policy", fmt.Sprintf(
			"IAM takes at most %d characters of a role's inline policy, and the policy lists each name: fewer or shorter names a stack (names that take both A and AAAA are listed once)", MaxRolePolicy))
	}
	return nil
}

// checkCounts checks a built template against the service limits on
// counts, so that a stack that cannot deploy fails here with a clear error,
// not at deploy: the number of resources, outputs and parameters, and each
// mapping template's size. (YAML and JSON check the template's size.)
func checkCounts(t *cloudformation.Template, templateTexts map[string]string) error {
	if n := len(t.Resources); n > MaxResources {
		return configError("devices", strconv.Itoa(n)+" resources", fmt.Sprintf("a stack holds at most %d resources", MaxResources))
	}
	if n := len(t.Outputs); n > MaxOutputs {
		return configError("zones", strconv.Itoa(n)+" outputs", fmt.Sprintf("a stack holds at most %d outputs", MaxOutputs))
	}
	if n := len(t.Parameters); n > MaxParameters {
		return configError("zones", strconv.Itoa(n)+" parameters", fmt.Sprintf("a stack holds at most %d parameters", MaxParameters))
	}
	for name, text := range templateTexts {
		if len(text) > templates.MaxTemplateBytes {
			return configError("devices", name, fmt.Sprintf("the mapping template is %d bytes; API Gateway takes at most %d", len(text), templates.MaxTemplateBytes))
		}
	}
	return nil
}

// families is 2 when some record takes both A and AAAA, else 1.
func (p *plan) families() int {
	for _, r := range p.records {
		if len(r.types) == 2 {
			return 2
		}
	}
	return 1
}

// plural is "1 zone", "2 zones".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
