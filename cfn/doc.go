// Package cfn builds the CloudFormation template of a dynamic DNS stack in
// which API Gateway calls Route 53 directly: no server, no Lambda function.
//
// A client (a router, a cron job) sends
//
//	GET https://API.execute-api.REGION.amazonaws.com/STAGE/ZONEID?hostname=NAME
//
// with its API key (or GET https://DOMAIN/ZONEID?hostname=NAME with
// [Config.Domain]), and the REST API's mapping template turns the request
// into a Route 53 ChangeResourceRecordSets call that points NAME at the
// caller's address. The role API Gateway assumes may upsert only the
// configured names and types in the configured zones.
//
// To get the template, describe the stack with a [Config] (its zero value is
// the seed stack: myddns.acme.local, one API key, the zone id asked for at
// deploy time), call [Build], and write the result with [YAML] or [JSON]:
//
//	t, err := cfn.Build(cfn.Config{
//		Records: []cfn.Record{{Name: "home.example.com", Types: []string{"A", "AAAA"}}},
//		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}},
//	})
//	if err != nil {
//		return err // a *ConfigError: which field, which value, which rule
//	}
//	b, err := cfn.YAML(t)
//
// Build validates the Config first; [Config.Validate] does only that, and
// [Config.Warnings] lists what is allowed but probably not meant. The same
// Config always gives byte-identical output. YAML and JSON refuse a
// template over CloudFormation's 1 MB, as written, with a
// [*TemplateSizeError].
package cfn
