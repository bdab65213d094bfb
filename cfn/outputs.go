package cfn

import (
	"github.com/awslabs/goformation/v7/cloudformation"
)

// Output names. UpdateUrl is UpdateUrl<Zone> (e.g. UpdateUrlAcmeLocal) when
// the stack has more than one zone.
const (
	OutputUpdateURL          = "UpdateUrl"
	OutputAPIKeyID           = "ApiKeyId"
	OutputGetAPIKeyCommand   = "GetApiKeyCommand"
	OutputListAPIKeysCommand = "ListApiKeysCommand"
	OutputUsagePlanID        = "UsagePlanId"
	OutputCurlCommand        = "CurlCommand"
	OutputCronLine           = "CronLine"
	OutputDynDNS2Server      = "DynDNS2Server"
	OutputDynDNS2Script      = "DynDNS2Script"
	OutputPasswordsCommand   = "PasswordsCommand"
)

// updateURL is the zone's update URL inside a Fn::Sub string: on the
// custom domain when there is one.
func (b *builder) updateURL(z *zonePlan) string {
	return "https://" + b.urlHost() + b.urlStage() + "/" + z.subID()
}

// exampleCommand is a shell line of the words before, the URL the first
// device calls for its first name (that name's zone's, with ?hostname= when
// the device has several names) in single quotes, and after: a Fn::Join of
// them by spaces, a word a line in the template.
func (b *builder) exampleCommand(before string, after ...string) string {
	p := b.p
	names := p.records
	if len(p.devices) > 0 {
		names = p.devices[0].records
	}
	u := b.updateURL(names[0].zone)
	if len(names) > 1 {
		u += "?hostname=" + names[0].name
	}
	return cloudformation.Join(" ", append([]string{before, sub("'" + u + "'")}, after...))
}

func (b *builder) outputs() {
	p := b.p
	out := map[string]cloudformation.Output{}
	defer func() {
		for name, o := range out {
			b.t.Outputs[b.id(name)] = o
		}
	}()
	for _, z := range p.zones {
		name := OutputUpdateURL
		if len(p.zones) > 1 {
			name += camel(z.name)
		}
		desc := "GET this URL to point " + z.records[0].name + " at your address"
		if len(z.records) > 1 {
			desc = "GET this URL with ?hostname=NAME[,NAME] (names in " + z.name + ") to point them at your address; ?ip= sets another address"
		}
		out[name] = cloudformation.Output{Description: cloudformation.String(desc), Value: sub(b.updateURL(z))}
	}
	header := ""
	if !p.open {
		header = ` -H "x-api-key: $DDNS_API_KEY"`
		out[OutputUsagePlanID] = cloudformation.Output{
			Description: cloudformation.String("The usage plan that throttles the API keys"),
			Value:       cloudformation.Ref(b.id(IDUsagePlan)),
		}
		if len(p.devices) == 1 && p.devices[0].id == "" {
			out[OutputAPIKeyID] = cloudformation.Output{
				Description: cloudformation.String("The API key's id (its value is secret: see GetApiKeyCommand)"),
				Value:       cloudformation.Ref(b.id(IDApiKey)),
			}
			out[OutputGetAPIKeyCommand] = cloudformation.Output{
				Description: cloudformation.String("Prints the API key's value, for DDNS_API_KEY"),
				Value:       cloudformation.Sub("aws apigateway get-api-key --api-key ${" + b.id(IDApiKey) + "} --include-value --query value --output text --region ${AWS::Region}"),
			}
		} else {
			out[OutputListAPIKeysCommand] = cloudformation.Output{
				Description: cloudformation.String("Prints each device's API key name and value"),
				Value:       cloudformation.Sub(listKeysCommand(b.id(IDUsagePlan))),
			}
		}
	}
	// With several devices the examples are the first device's: say so, so
	// that no one runs them with another device's key.
	curlDesc, cronDesc := "Updates the record from a shell", "A crontab line that updates every 5 minutes"
	if len(p.devices) > 1 {
		d := p.devices[0].name
		curlDesc = "Updates device " + d + "'s record from a shell (DDNS_API_KEY: " + d + "'s key; each device calls with its own)"
		cronDesc = "A crontab line for device " + d + ": updates every 5 minutes"
	}
	out[OutputCurlCommand] = cloudformation.Output{
		Description: cloudformation.String(curlDesc),
		Value:       b.exampleCommand("curl -sS" + header),
	}
	if p.dyndns2 {
		out[OutputDynDNS2Server] = cloudformation.Output{
			Description: cloudformation.String("dyndns2 server for routers, ddclient (server=) and inadyn (ddns-server), over HTTPS"),
			Value:       sub(b.urlHost()),
		}
		out[OutputDynDNS2Script] = cloudformation.Output{
			Description: cloudformation.String("dyndns2 path: ddclient's script=, inadyn's ddns-path (add ?hostname=%h&myip=%i)"),
			Value:       b.urlStage() + "/nic/update",
		}
		out[OutputPasswordsCommand] = cloudformation.Output{
			Description: cloudformation.String("Prints the devices' dyndns2 passwords (stage variables ddns_password_DEVICE)"),
			Value:       cloudformation.Sub("aws apigateway get-stage --rest-api-id ${" + b.id(IDRestAPI) + "} --stage-name " + p.stage + " --query variables --output json --region ${AWS::Region}"),
		}
	}
	if !p.open {
		cronDesc += " (set DDNS_API_KEY=... in the crontab above it)"
	}
	out[OutputCronLine] = cloudformation.Output{
		Description: cloudformation.String(cronDesc),
		Value:       b.exampleCommand("*/5 * * * * curl -fsS -m 20"+header, ">/dev/null"),
	}
}

// listKeysCommand is a shell loop that prints the name and value of each
// API key of the usage plan with this logical ID, one key a line: the
// plan's keys are exactly the stack's (a name prefix would also match
// another stack's, "home" matching "home-office"). In a Fn::Sub string, on
// three lines that also run as one (as the console shows them).
func listKeysCommand(usagePlan string) string {
	return "for k in $(aws apigateway get-usage-plan-keys --usage-plan-id ${" + usagePlan + `} --query "items[].id" --output text --region ${AWS::Region}); do` +
		"\n  " + `aws apigateway get-api-key --api-key "$k" --include-value --query "[name,value]" --output text --region ${AWS::Region};` + "\ndone"
}
