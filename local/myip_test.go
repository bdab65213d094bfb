package local_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
)

// motoMockWorkaround returns a copy of a template that moto 5.2 can
// deploy, or path itself when it has no MOCK integration: moto reads
// IntegrationHttpMethod and Uri of every integration, where AWS documents
// both as not to be given for MOCK (see cmd/ddnsgen's copy of this, for
// its goldens). The lab serves the template as generated.
func motoMockWorkaround(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.ReplaceAll(string(b), "\n        Type: MOCK\n", "\n        IntegrationHttpMethod: GET\n        Uri: moto-needs-one\n        Type: MOCK\n")
	if out == string(b) {
		return path
	}
	copied := filepath.Join(t.TempDir(), "moto-"+filepath.Base(path))
	if err := os.WriteFile(copied, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return copied
}

const (
	myIPKey      = "myipRouterKey0123456789abcdefABCDEF"
	myIPOtherKey = "myipNasKey0123456789abcdefABCDEFGH"
	myIPPassword = "RouterPassword0123456789"
)

// myIPServer serves a golden template with GET /myip in one world.
func myIPServer(t *testing.T, golden string, carry bool, keys, params map[string]string) *local.API {
	t.Helper()
	path := "../golden/" + golden
	if strings.HasPrefix(golden, "sam") {
		path = lab.SAMTranslate(t, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := local.Start(context.Background(), local.Options{
		Template: b, Parameters: params, APIKeys: keys,
		TrustSourceIPHeader: true, Unthrottled: true, Carry: carry, Engine: lab.Velocity(t), Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// GET /myip is a MOCK integration: Route 53 (in process) keeps only the
	// NS and SOA records of each new zone.
	t.Cleanup(func() {
		if len(srv.Route53().Zones()) == 0 {
			t.Error("no hosted zone in process")
		}
		for _, z := range srv.Route53().Zones() {
			if records, _ := srv.Route53().Records(z.ID); len(records) != 2 {
				t.Errorf("GET /myip changed Route 53: %s holds %v", z.Name, records)
			}
		}
	})
	return srv.APIs[0]
}

type myIPAnswer struct {
	status      int
	contentType string
	body        string
}

func askMyIP(t *testing.T, api *local.API, key, auth, source, contentType string) myIPAnswer {
	t.Helper()
	req, _ := http.NewRequest("GET", api.URL+"/ddns/myip", nil)
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(local.SourceIPHeader, source)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return myIPAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), string(body)}
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// TestMyIPServed: `ddnsgen local` serves GET /STAGE/myip from its MOCK
// integration in both worlds of the carry: a device's key (and, with
// dyndns2, its password) gets its own address as text, IPv4 or IPv6; a
// wrong key gets API Gateway's 403, a wrong password (or another device's
// key with it) 401 badauth; a body of
// another Content-Type cannot pick the status (415). Route 53 (in
// process) is left as it was.
func TestMyIPServed(t *testing.T) {
	for _, carry := range []bool{false, true} {
		t.Run(fmt.Sprintf("carry=%v", carry), func(t *testing.T) {
			t.Run("keys", func(t *testing.T) {
				api := myIPServer(t, "myip.yaml", carry, map[string]string{"ApiKey": myIPKey},
					map[string]string{"HostedZoneId": "Z0123456789ABCDEFGHIJ"})
				checkMyIP(t, askMyIP(t, api, myIPKey, "", "192.0.2.44", ""), 200, "192.0.2.44")
				checkMyIP(t, askMyIP(t, api, myIPKey, "", "2001:db8::44", ""), 200, "2001:db8::44")
				checkMyIP(t, askMyIP(t, api, myIPKey, "Basic !!", "192.0.2.44", ""), 200, "192.0.2.44")
				checkRefused(t, askMyIP(t, api, "wrongKey0123456789abcdefABCDEFGHIJ", "", "192.0.2.44", ""), 403)
				checkRefused(t, askMyIP(t, api, "", "", "192.0.2.44", ""), 403)
			})
			t.Run("dyndns2", func(t *testing.T) {
				keys := map[string]string{"ApiKeyRouter": myIPKey, "ApiKeyNas": myIPOtherKey}
				params := map[string]string{}
				for _, d := range []string{"Router", "BackupRouter", "Nas", "Laptop", "Office"} {
					params["Password"+d] = d + "Password0123456789"
				}
				params["PasswordRouter"] = myIPPassword
				api := myIPServer(t, "myip-dyndns2.yaml", carry, keys, params)
				good := basicAuth("router", myIPPassword)
				checkMyIP(t, askMyIP(t, api, myIPKey, good, "198.51.100.9", ""), 200, "198.51.100.9")
				checkMyIP(t, askMyIP(t, api, myIPKey, good, "2001:db8:1::9", ""), 200, "2001:db8:1::9")
				checkRefused(t, askMyIP(t, api, "wrongKey0123456789abcdefABCDEFGHIJ", good, "198.51.100.9", ""), 403)
				// Another device's key with router's password.
				checkRefused(t, askMyIP(t, api, myIPOtherKey, good, "198.51.100.9", ""), 401)
				checkRefused(t, askMyIP(t, api, "", good, "198.51.100.9", ""), 403)
				for _, bad := range []string{basicAuth("router", "WrongPassword0123456789"), basicAuth("printer", myIPPassword), "", "Basic " + myIPPassword, "Bearer x"} {
					a := askMyIP(t, api, myIPKey, bad, "198.51.100.9", "")
					if a.status != 401 || a.body != "badauth\n" || !strings.HasPrefix(a.contentType, "text/plain") {
						t.Errorf("Authorization %q: %d %q %q, want 401 badauth text/plain", bad, a.status, a.contentType, a.body)
					}
				}
				// A body of a type with no template is refused, never passed to
				// the MOCK (where {"statusCode": 200} would let it through).
				if a := askMyIP(t, api, myIPKey, "", "198.51.100.9", "text/plain"); a.status != 415 {
					t.Errorf("Content-Type text/plain: %d %q, want 415", a.status, a.body)
				}
			})
			t.Run("sam", func(t *testing.T) {
				api := myIPServer(t, "sam-myip.yaml", carry, map[string]string{"ApiKey": myIPKey},
					map[string]string{"HostedZoneId": "Z0123456789ABCDEFGHIJ", "Password": myIPPassword})
				checkMyIP(t, askMyIP(t, api, myIPKey, basicAuth("default", myIPPassword), "203.0.113.5", ""), 200, "203.0.113.5")
				checkRefused(t, askMyIP(t, api, myIPKey, basicAuth("default", "x"+myIPPassword), "203.0.113.5", ""), 401)
				checkRefused(t, askMyIP(t, api, "wrongKey0123456789abcdefABCDEFGHIJ", basicAuth("default", myIPPassword), "203.0.113.5", ""), 403)
			})
		})
	}
}

func checkMyIP(t *testing.T, a myIPAnswer, status int, address string) {
	t.Helper()
	if a.status != status || a.body != address+"\n" || a.contentType != "text/plain; charset=utf-8" {
		t.Errorf("GET /myip: %d %q %q, want %d %q text/plain; charset=utf-8", a.status, a.contentType, a.body, status, address+"\n")
	}
}

func checkRefused(t *testing.T, a myIPAnswer, status int) {
	t.Helper()
	if a.status != status {
		t.Errorf("GET /myip: %d %q, want %d", a.status, a.body, status)
	}
	if strings.Contains(a.body, "192.0.2") || strings.Contains(a.body, "198.51.100") || strings.Contains(a.body, "203.0.113") {
		t.Errorf("a refused caller learns its address: %q", a.body)
	}
}
