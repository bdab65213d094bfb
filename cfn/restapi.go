package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/tags"
)

// RestAPI is an AWS::ApiGateway::RestApi with the properties ddnsgen sets.
// It stands in for goformation's apigateway.RestApi, which (v7.14.9) lacks
// EndpointConfiguration.IpAddressType, the switch that lets IPv6 callers in.
type RestAPI struct {
	Name                  string
	Description           string
	EndpointConfiguration EndpointConfiguration
	Tags                  []tags.Tag
	// DisableExecuteApiEndpoint turns off the execute-api host, so that
	// a custom domain is the only way in.
	DisableExecuteApiEndpoint bool
}

// EndpointConfiguration is a RestApi's endpoint type and IP address type.
type EndpointConfiguration struct {
	Types []string `json:"Types"`
	// IpAddressType is "ipv4" or "dualstack".
	IpAddressType string `json:"IpAddressType"`
}

// AWSCloudFormationType implements cloudformation.Resource.
func (r *RestAPI) AWSCloudFormationType() string { return "AWS::ApiGateway::RestApi" }

// MarshalJSON writes the resource as CloudFormation expects it.
func (r RestAPI) MarshalJSON() ([]byte, error) {
	type properties struct {
		Name                  string                `json:"Name"`
		Description           string                `json:"Description,omitempty"`
		EndpointConfiguration EndpointConfiguration `json:"EndpointConfiguration"`
		Tags                  []tags.Tag            `json:"Tags,omitempty"`
		// omitempty: a stack without a custom domain is written as before.
		DisableExecuteApiEndpoint bool `json:"DisableExecuteApiEndpoint,omitempty"`
	}
	return json.Marshal(struct {
		Type       string
		Properties properties
	}{r.AWSCloudFormationType(), properties(r)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *RestAPI) UnmarshalJSON(b []byte) error {
	var v struct {
		Type       string
		Properties struct {
			Name                      string
			Description               string
			EndpointConfiguration     EndpointConfiguration
			Tags                      []tags.Tag
			DisableExecuteApiEndpoint bool
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a property we cannot carry is an error, not a loss
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("AWS::ApiGateway::RestApi: %w", err)
	}
	*r = RestAPI(v.Properties)
	return nil
}
