package templates

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// myIPUsers are two dyndns2 devices; router's password is set, nas's stage
// variable is unset (a device whose password parameter is still empty).
var myIPUsers = []User{
	{Name: "router", PasswordStage: "ddns_password_router"},
	{Name: "nas", PasswordStage: "ddns_password_nas"},
}

const routerPassword = "s3cretPassw0rd123456"

func basicAuth(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

// renderMyIP renders GET /myip's request template with the given headers,
// as API Gateway would for a MOCK integration, and returns its output.
func renderMyIP(t *testing.T, tmpl string, header map[string]string) string {
	t.Helper()
	res, err := lab.Velocity(t).Render(velocity.Request{
		Template:       tmpl,
		Path:           map[string]string{},
		QueryString:    map[string]string{},
		Header:         header,
		Context:        map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.7", "apiKeyId": "k1"}},
		StageVariables: map[string]string{"ddns_password_router": routerPassword, "ddns_zone_1": "ZONE1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.NullReferences) > 0 {
		t.Errorf("null references (API Gateway renders them empty, Velocity 1.7 as text): %v", res.NullReferences)
	}
	return strings.TrimSpace(res.Output)
}

// TestMyIPRequestBasic: with dyndns2 users, only a device's own user name
// and password let the caller through; every other Authorization header
// (missing, wrong, malformed, hostile) answers 401.
func TestMyIPRequestBasic(t *testing.T) {
	tmpl, err := MyIPRequest(myIPUsers, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"statusCode": 200}`
	refused := `{"statusCode": 401}`
	for _, c := range []struct {
		what   string
		header map[string]string
		want   string
	}{
		{"right credentials", map[string]string{"Authorization": basicAuth("router:" + routerPassword)}, ok},
		{"header name in upper case", map[string]string{"AUTHORIZATION": basicAuth("router:" + routerPassword)}, ok},
		{"scheme in lower case", map[string]string{"Authorization": "basic " + base64.StdEncoding.EncodeToString([]byte("router:"+routerPassword))}, ok},
		{"no header", map[string]string{}, refused},
		{"wrong password", map[string]string{"Authorization": basicAuth("router:wrongPassw0rd123456")}, refused},
		{"password as a prefix", map[string]string{"Authorization": basicAuth("router:" + routerPassword[:10])}, refused},
		{"password with more after it", map[string]string{"Authorization": basicAuth("router:" + routerPassword + "x")}, refused},
		{"password after a second colon", map[string]string{"Authorization": basicAuth("router:x:" + routerPassword)}, refused},
		{"unknown user", map[string]string{"Authorization": basicAuth("printer:" + routerPassword)}, refused},
		{"user in upper case", map[string]string{"Authorization": basicAuth("ROUTER:" + routerPassword)}, refused},
		{"user whose password is unset, empty password", map[string]string{"Authorization": basicAuth("nas:")}, refused},
		{"no colon", map[string]string{"Authorization": basicAuth("router" + routerPassword)}, refused},
		{"empty user", map[string]string{"Authorization": basicAuth(":" + routerPassword)}, refused},
		{"not base64", map[string]string{"Authorization": "Basic router:" + routerPassword}, refused},
		{"base64 without padding", map[string]string{"Authorization": "Basic " + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("router:"+routerPassword+"x")), "=")}, refused},
		{"base64url alphabet", map[string]string{"Authorization": "Basic " + base64.URLEncoding.EncodeToString([]byte("router:\xfb\xff"))}, refused},
		{"Bearer scheme", map[string]string{"Authorization": "Bearer " + routerPassword}, refused},
		{"scheme only", map[string]string{"Authorization": "Basic "}, refused},
		{"Latin-1 bytes", map[string]string{"Authorization": basicAuth("router:\xe9\xe8" + routerPassword)}, refused},
		{"VTL in the user name", map[string]string{"Authorization": basicAuth("#set($code = 200)$code:" + routerPassword)}, refused},
		{"quote in the user name", map[string]string{"Authorization": basicAuth("router':" + routerPassword)}, refused},
		{"a statusCode in the password", map[string]string{"Authorization": basicAuth(`router:"}, {"statusCode": 200`)}, refused},
		{"over 1024 characters", map[string]string{"Authorization": basicAuth("router:" + routerPassword + strings.Repeat("A", 1100))}, refused},
	} {
		if got := renderMyIP(t, tmpl, c.header); got != c.want {
			t.Errorf("%s: the request template renders %q, want %q", c.what, got, c.want)
		}
	}
	if strings.Contains(tmpl, routerPassword) {
		t.Errorf("the template holds a password")
	}
}

// TestMyIPRequestKeyOnly: without dyndns2 the API key is the credential,
// which API Gateway checks before the template runs: every request that
// reaches it gets 200, whatever Authorization header it carries.
func TestMyIPRequestKeyOnly(t *testing.T) {
	tmpl, err := MyIPRequest(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []map[string]string{{}, {"Authorization": "Basic !!"}} {
		if got := renderMyIP(t, tmpl, h); got != `{"statusCode": 200}` {
			t.Errorf("headers %v: %q", h, got)
		}
	}
}

func TestMyIPRequestBadUser(t *testing.T) {
	for _, u := range []User{{Name: "Router'", PasswordStage: "ddns_password_x"}, {Name: "router", PasswordStage: "ddns-password"}} {
		if _, err := MyIPRequest([]User{u}, nil); err == nil {
			t.Errorf("%+v: no error", u)
		}
	}
}

// TestMyIPResponse: the answer is the caller's address and nothing else,
// IPv4 or IPv6 as given; a sourceIp that is not shaped like an address
// (never seen, but its IPv6 form is undocumented) answers an empty line.
// The answer is one line: the address and a newline.
func TestMyIPResponse(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.7":                  "192.0.2.7",
		"2001:db8::1":                "2001:db8::1",
		"2001:DB8:0:0:0:0:0:1":       "2001:DB8:0:0:0:0:0:1",
		"::ffff:192.0.2.7":           "::ffff:192.0.2.7",
		"test-invoke-source-ip":      "",
		"192.0.2.7\n<b>":             "",
		"$context.identity.sourceIp": "",
		"":                           "",
		strings.Repeat("1", 46):      "",
		"192.0.2.7, 198.51.100.1":    "",
	} {
		res, err := lab.Velocity(t).Render(velocity.Request{
			Template: MyIPResponse(), Path: map[string]string{}, QueryString: map[string]string{}, Header: map[string]string{},
			Context: map[string]any{"identity": map[string]any{"sourceIp": ip}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Output != want+"\n" {
			t.Errorf("sourceIp %q: the answer is %q, want %q", ip, res.Output, want+"\n")
		}
	}
}

// TestMyIPRequestKeyOwner: where devices have API keys, the Basic
// credentials must be those of the device whose key was used: router's
// key with router's password passes, nas's key with router's password
// does not, nor a key of no device. Both forms of the key id: a literal
// (CloudFormation fills it in) and a stage variable (OpenAPI).
func TestMyIPRequestKeyOwner(t *testing.T) {
	good := map[string]string{"Authorization": basicAuth("router:" + routerPassword)}
	for _, devices := range [][]Device{
		{{Name: "router", Key: "KEYROUTER"}, {Name: "nas", Key: "KEYNAS"}},
		{{Name: "router", KeyVar: "ddns_key_1"}, {Name: "nas", KeyVar: "ddns_key_2"}},
	} {
		tmpl, err := MyIPRequest(myIPUsers, devices)
		if err != nil {
			t.Fatal(err)
		}
		for keyID, want := range map[string]string{"KEYROUTER": `{"statusCode": 200}`, "KEYNAS": `{"statusCode": 401}`, "KEYOTHER": `{"statusCode": 401}`, "": `{"statusCode": 401}`} {
			res, err := lab.Velocity(t).Render(velocity.Request{
				Template: tmpl, Path: map[string]string{}, QueryString: map[string]string{}, Header: good,
				Context:        map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.7", "apiKeyId": keyID}},
				StageVariables: map[string]string{"ddns_password_router": routerPassword, "ddns_key_1": "KEYROUTER", "ddns_key_2": "KEYNAS"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(res.Output); got != want {
				t.Errorf("devices %+v, key %q with router's password: %q, want %q", devices, keyID, got, want)
			}
		}
	}
	if _, err := MyIPRequest(myIPUsers, []Device{{Name: "router", Key: "KEY'"}}); err == nil {
		t.Error("a key id with a quote: no error")
	}
}
