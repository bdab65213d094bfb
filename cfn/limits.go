package cfn

import (
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
		// Each device's password is a parameter.
		params := len(p.devices)
		for _, z := range p.zones {
			if z.param != "" {
				params++
			}
		}
		if params > MaxParameters {
			return bad("devices", strconv.Itoa(len(p.devices)), fmt.Sprintf(
				"with dyndns2 each device's password is a template parameter, and a stack holds %d parameters: at most %d devices",
				MaxParameters, MaxParameters-(params-len(p.devices))))
		}
	}
	if p.dyndns2 {
		// Each zone id and each device's password is a stage variable.
		if n := len(p.zones) + len(p.dyndns2Users()); n > MaxStageVariables {
			return bad("devices", strconv.Itoa(len(p.devices)), fmt.Sprintf(
				"with dyndns2 each device's password is a stage variable, and a stage holds %d: at most %d devices with %d zones",
				MaxStageVariables, MaxStageVariables-len(p.zones), len(p.zones)))
		}
	}
	if n := len(p.devices); n > MaxDevices {
		return bad("devices", strconv.Itoa(n), fmt.Sprintf(
			"%d devices need %d resources and a stack holds %d: at most %d devices a stack; split them over several stacks",
			n, fixedResources+resourcesPerDevice*n, MaxResources, MaxDevices))
	}
	return nil
}

// checkLimits checks a built template against the service limits, so that
// a stack that cannot deploy fails here with a clear error, not at deploy.
func checkLimits(t *cloudformation.Template, templateTexts map[string]string) error {
	if n := len(t.Resources); n > MaxResources {
		return bad("devices", strconv.Itoa(n)+" resources", fmt.Sprintf("a stack holds at most %d resources", MaxResources))
	}
	if n := len(t.Outputs); n > MaxOutputs {
		return bad("zones", strconv.Itoa(n)+" outputs", fmt.Sprintf("a stack holds at most %d outputs", MaxOutputs))
	}
	if n := len(t.Parameters); n > MaxParameters {
		return bad("zones", strconv.Itoa(n)+" parameters", fmt.Sprintf("a stack holds at most %d parameters", MaxParameters))
	}
	for name, text := range templateTexts {
		if len(text) > templates.MaxTemplateBytes {
			return bad("devices", name, fmt.Sprintf("the mapping template is %d bytes; API Gateway takes at most %d", len(text), templates.MaxTemplateBytes))
		}
	}
	j, err := t.JSON()
	if err != nil {
		return err
	}
	if len(j) > MaxTemplateBytes {
		return bad("devices", strconv.Itoa(len(j))+" bytes", fmt.Sprintf("the template is over CloudFormation's %d bytes", MaxTemplateBytes))
	}
	return nil
}
