package cfn

import (
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// Parse reads a template (YAML or JSON) back into goformation types without
// evaluating its intrinsic functions, so that writing it again with YAML or
// JSON gives the same template. A RestApi or a DomainName with an
// IpAddressType is read as a *RestAPI or *DomainName (goformation's types
// refuse that property); other resources as goformation's types.
func Parse(b []byte) (*cloudformation.Template, error) {
	j, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: cloudformation.EncoderIntrinsics,
	})
	if err != nil {
		return nil, fmt.Errorf("cfn: reading template: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(j, &raw); err != nil {
		return nil, fmt.Errorf("cfn: reading template: %w", err)
	}
	var resources map[string]json.RawMessage
	if r, ok := raw["Resources"]; ok {
		if err := json.Unmarshal(r, &resources); err != nil {
			return nil, fmt.Errorf("cfn: reading Resources: %w", err)
		}
	}
	// ddnsgen's own types carry IpAddressType, which goformation's refuse.
	own := map[string]cloudformation.Resource{}
	for id, r := range resources {
		var typ struct {
			Type       string
			Properties struct {
				EndpointConfiguration struct{ IpAddressType string }
			}
		}
		if err := json.Unmarshal(r, &typ); err != nil {
			return nil, fmt.Errorf("cfn: reading resource %s: %w", id, err)
		}
		if typ.Properties.EndpointConfiguration.IpAddressType == "" {
			continue
		}
		var res cloudformation.Resource
		switch typ.Type {
		case "AWS::ApiGateway::RestApi":
			res = &RestAPI{}
		case "AWS::ApiGateway::DomainName":
			res = &DomainName{}
		default:
			continue
		}
		if err := json.Unmarshal(r, res); err != nil {
			return nil, fmt.Errorf("cfn: reading resource %s: %w", id, err)
		}
		own[id] = res
		delete(resources, id)
	}
	if raw["Resources"], err = json.Marshal(resources); err != nil {
		return nil, err
	}
	j, err = json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	t := cloudformation.NewTemplate()
	if err := json.Unmarshal(j, t); err != nil {
		return nil, fmt.Errorf("cfn: reading template: %w", err)
	}
	for id, res := range own {
		t.Resources[id] = res
	}
	return t, nil
}
