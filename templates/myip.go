package templates

import (
	_ "embed"
	"fmt"
	"strings"
)

var (
	//go:embed myip-request.vtl
	myIPRequestVTL string
	//go:embed myip-response.vtl
	myIPResponseVTL string
)

// MyIPRequest renders the request template of GET /STAGE/myip, a MOCK
// integration: {"statusCode": 200} lets the caller through to the
// address, 401 answers badauth. Without users the API key (checked by API
// Gateway) is the only credential and every request gets 200; with users
// (a stack with dyndns2) the request must carry one user's HTTP Basic
// credentials, and with devices (their API key ids) the user must be the
// device whose key was used. Only a user's name, its password's stage
// variable and its key id are written (not its names): the endpoint
// changes nothing.
func MyIPRequest(users []User, devices []Device) (string, error) {
	if len(users) == 0 {
		return lean("request template of the myip endpoint", `{"statusCode": 200}`+"\n"), nil
	}
	var b strings.Builder
	b.WriteString("#set($ddns_owner = {})\n")
	for _, dev := range devices {
		key, err := dev.keyExpr()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "#set($discard = $ddns_owner.put(%s, '%s'))\n", key, dev.Name)
	}
	b.WriteString("#set($ddns_secrets = {})\n")
	for _, u := range users {
		if !deviceName.MatchString(u.Name) {
			return "", fmt.Errorf("templates: user name %q is not 1-32 lower-case letters, digits and hyphens", u.Name)
		}
		if !stageVar.MatchString(u.PasswordStage) {
			return "", fmt.Errorf("templates: user %s: %q is not a stage variable name", u.Name, u.PasswordStage)
		}
		fmt.Fprintf(&b, "#set($discard = $ddns_secrets.put('%s', \"$!stageVariables.%s\"))\n", u.Name, u.PasswordStage)
	}
	return lean("request template of the myip endpoint", b.String(), myIPRequestVTL), nil
}

// MyIPResponse renders the response template of GET /STAGE/myip's 200: the
// caller's address ($context.identity.sourceIp) and nothing else.
func MyIPResponse() string {
	return lean("response template of the myip endpoint", myIPResponseVTL)
}

// MyIPRefused is the body of GET /STAGE/myip's 401: dyndns2's word for bad
// credentials, which the script and ddclient read alike.
const MyIPRefused = "badauth\n"
