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
	restAPIs := map[string]*RestAPI{}
	domains := map[string]*DomainName{}
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
		if typ.Type == "AWS::ApiGateway::RestApi" && typ.Properties.EndpointConfiguration.IpAddressType != "" {
			api := &RestAPI{}
			if err := json.Unmarshal(r, api); err != nil {
				return nil, fmt.Errorf("cfn: reading resource %s: %w", id, err)
			}
			restAPIs[id] = api
			delete(resources, id)
		}
		if typ.Type == "AWS::ApiGateway::DomainName" && typ.Properties.EndpointConfiguration.IpAddressType != "" {
			d := &DomainName{}
			if err := json.Unmarshal(r, d); err != nil {
				return nil, fmt.Errorf("cfn: reading resource %s: %w", id, err)
			}
			domains[id] = d
			delete(resources, id)
		}
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
	for id, api := range restAPIs {
		t.Resources[id] = api
	}
	for id, d := range domains {
		t.Resources[id] = d
	}
	return t, nil
}
