package local_test

import (
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/local"
)

// routersSpec is golden/routers.yaml: a FritzBox with a host behind it and a
// Synology, on dyndns2 with credentials in the URL (/nic/update-url).
var routersSpec = stackSpec{
	golden: "routers.yaml",
	zones:  []string{"acme.local"},
	params: map[string]string{"HostedZoneId": "acme.local"},
	keys: map[string][]string{
		"ApiKeyFritzbox": {"home.acme.local", "nas.acme.local"},
		"ApiKeySynology": {"files.acme.local"},
	},
	types: map[string][]string{
		"home.acme.local": {"A", "AAAA"}, "nas.acme.local": {"A", "AAAA"}, "files.acme.local": {"A", "AAAA"},
	},
	users: map[string]string{"fritzbox": "PasswordFritzbox", "synology": "PasswordSynology"},
}

// TestRouterRecipes sends each router recipe of docs/routers.md through the lab
// exactly as that router fills it in, and reads the records back.
func TestRouterRecipes(t *testing.T) {
	forEachWorld(t, func(t *testing.T, w labWorld) {
		s := startStack(t, routersSpec, w)
		fritzPass, synoPass := s.params["PasswordFritzbox"], s.params["PasswordSynology"]
		lab := strings.TrimSuffix(s.api.URL, "/")
		// docs/routers.md speaks of example.com and an execute-api host; the lab
		// serves acme.local over plain HTTP on 127.0.0.1.
		local := func(text string) string {
			text = swap(t, text, "https://API.execute-api.REGION.amazonaws.com", lab)
			return strings.ReplaceAll(text, "example.com", "acme.local")
		}
		path := func(rawURL string) string {
			u, err := url.Parse(rawURL)
			if err != nil {
				t.Fatalf("%q: %v", rawURL, err)
			}
			return u.RequestURI()
		}
		has := func(what, name, typ, value string) {
			t.Helper()
			if !s.hasRecord("acme.local", name, typ, 60, value) {
				t.Errorf("%s: no %s %s %s; the zone holds %q", what, name, typ, value, s.records("acme.local"))
			}
		}

		t.Run("fritzbox", func(t *testing.T) {
			recipe := strings.TrimSpace(readmeBlock(t, "recipe:fritzbox"))
			fill := func(ipaddr, ip6addr, pass string) []string {
				filled := strings.NewReplacer("<domain>", "home.example.com", "<ipaddr>", ipaddr, "<ip6addr>", ip6addr,
					"<ip6lanprefix>", "2001:db8:1:2::/64", "<username>", "fritzbox", "<pass>", pass).Replace(recipe)
				return strings.Fields(local(filled))
			}
			urls := fill("198.51.100.20", "2001:db8:20::1", fritzPass)
			if len(urls) != 2 {
				t.Fatalf("the FritzBox recipe should be two URLs, is %q", recipe)
			}
			for i, want := range []string{"good 198.51.100.20,2001:db8:20::1", "good 198.51.100.20,2001:db8:1:2:1234:5678:9abc:def0"} {
				code, body := s.curl(path(urls[i]), "User-Agent: Fritz!Box DDNS/1.0.1")
				if code != 200 || strings.TrimSpace(body) != want {
					t.Errorf("URL %d: %d %q, want 200 %q", i+1, code, body, want)
				}
			}
			has("fritzbox", "home.acme.local", "A", "198.51.100.20")
			has("fritzbox", "home.acme.local", "AAAA", "2001:db8:20::1")
			has("fritzbox", "nas.acme.local", "A", "198.51.100.20")
			has("fritzbox", "nas.acme.local", "AAAA", "2001:db8:1:2:1234:5678:9abc:def0")

			// DS-Lite: no IPv4 of its own, so <ipaddr> is empty.
			urls = fill("", "2001:db8:21::1", fritzPass)
			if code, body := s.curl(path(urls[0])); code != 200 || strings.TrimSpace(body) != "good 2001:db8:21::1" {
				t.Errorf("DS-Lite: %d %q", code, body)
			}
			has("DS-Lite", "home.acme.local", "AAAA", "2001:db8:21::1")

			// A wrong password, and another router's name: nothing changes.
			before := s.snapshot()
			if code, body := s.curl(path(fill("198.51.100.99", "2001:db8:99::1", "wrongpassword0000")[0])); code != 401 || strings.TrimSpace(body) != "badauth" {
				t.Errorf("wrong password: %d %q, want 401 badauth", code, body)
			}
			other := strings.Replace(path(urls[0]), "hostname=home.acme.local", "hostname=files.acme.local", 1)
			if code, body := s.curl(other); code != 200 || strings.TrimSpace(body) != "nohost" {
				t.Errorf("another device's name: %d %q, want nohost", code, body)
			}
			// A prefix that is not one.
			bad := strings.Replace(path(fill("198.51.100.99", "", fritzPass)[1]), url.QueryEscape("2001:db8:1:2::/64"), "fe80::/64", 1)
			bad = strings.Replace(bad, "2001:db8:1:2::/64", "fe80::/64", 1)
			if code, body := s.curl(bad); code != 200 || strings.TrimSpace(body) != "dnserr" {
				t.Errorf("a link-local prefix: %d %q, want dnserr", code, body)
			}
			s.unchanged(before, "refused FritzBox requests")
		})

		t.Run("synology", func(t *testing.T) {
			filled := strings.NewReplacer("__HOSTNAME__", "files.acme.local", "__MYIP__", "198.51.100.30",
				"__USERNAME__", "synology", "__PASSWORD__", synoPass).Replace(strings.TrimSpace(readmeBlock(t, "recipe:synology")))
			code, body := s.curl(path(local(filled)), "User-Agent: Synology DDNS")
			if code != 200 || strings.TrimSpace(body) != "good 198.51.100.30" {
				t.Errorf("%d %q", code, body)
			}
			has("synology", "files.acme.local", "A", "198.51.100.30")
		})

		// UniFi (inadyn inside) fills %h and %i into the server's path and
		// sends Basic auth over HTTPS.
		t.Run("unifi", func(t *testing.T) {
			server := strings.TrimSpace(readmeBlock(t, "recipe:unifi"))
			filled := strings.NewReplacer("%h", "home.acme.local", "%i", "198.51.100.40").Replace(server)
			filled = swap(t, filled, "API.execute-api.REGION.amazonaws.com", "")
			code, body := s.curl(filled, basic("fritzbox", fritzPass), "User-Agent: inadyn/2.10")
			if code != 200 || strings.TrimSpace(body) != "good 198.51.100.40" {
				t.Errorf("%d %q", code, body)
			}
			has("unifi", "home.acme.local", "A", "198.51.100.40")
		})

		// pfSense fills %IP%; old versions wait for Basic's challenge
		// (curl --anyauth does the same).
		t.Run("pfsense", func(t *testing.T) {
			filled := swap(t, strings.TrimSpace(readmeBlock(t, "recipe:pfsense")), "%IP%", "198.51.100.50")
			filled = strings.ReplaceAll(local(filled), "home.acme.local", "nas.acme.local")
			out, code := curlArgs(t, "--anyauth", "-u", "fritzbox:"+fritzPass, filled)
			if code != 200 || strings.TrimSpace(out) != "good 198.51.100.50" {
				t.Errorf("%d %q", code, out)
			}
			has("pfsense", "nas.acme.local", "A", "198.51.100.50")
		})

		// OpenWrt's ddns-scripts put user:pass@ in the URL (curl sends Basic).
		t.Run("openwrt", func(t *testing.T) {
			m := regexp.MustCompile(`option update_url '([^']+)'`).FindStringSubmatch(readmeBlock(t, "recipe:openwrt"))
			if m == nil {
				t.Fatal("the OpenWrt recipe has no update_url")
			}
			filled := strings.NewReplacer("[USERNAME]", "fritzbox", "[PASSWORD]", fritzPass, "[DOMAIN]", "home.acme.local", "[IP]", "198.51.100.60").Replace(m[1])
			filled = swap(t, filled, "@API.execute-api.REGION.amazonaws.com", "@"+strings.TrimPrefix(lab, "http://"))
			out, code := curlArgs(t, strings.Replace(filled, "https://", "http://", 1))
			if code != 200 || strings.TrimSpace(out) != "good 198.51.100.60" {
				t.Errorf("%d %q", code, out)
			}
			has("openwrt", "home.acme.local", "A", "198.51.100.60")
		})

		// MikroTik's /tool fetch sends the API key as a header to the JSON
		// endpoint; its address is the caller's.
		t.Run("mikrotik", func(t *testing.T) {
			recipe := readmeBlock(t, "recipe:mikrotik")
			u := regexp.MustCompile(`url="([^"]+)"`).FindStringSubmatch(recipe)
			h := regexp.MustCompile(`http-header-field="([^"]+)"`).FindStringSubmatch(recipe)
			if u == nil || h == nil {
				t.Fatalf("the MikroTik recipe lacks url= or http-header-field=: %s", recipe)
			}
			target := swap(t, local(u[1]), "ZONEID", s.zones["acme.local"])
			header := swap(t, h[1], "YOUR_API_KEY", s.keys["ApiKeyFritzbox"])
			code, body := s.curl(path(target), header, "X-Lab-Source-Ip: 198.51.100.70")
			if code != 200 || !strings.Contains(body, `{"name":"home.acme.local","type":"A","value":"198.51.100.70","ttl":60}`) {
				t.Errorf("%d %s", code, body)
			}
			has("mikrotik", "home.acme.local", "A", "198.51.100.70")
		})
	})
}

// curlArgs runs curl with the arguments given (a URL among them) and returns
// the body and the status.
func curlArgs(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "20", "-w", "\n%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %q: %v", args, err)
	}
	text := string(out)
	i := strings.LastIndex(text, "\n")
	code, _ := strconv.Atoi(text[i+1:])
	return text[:i], code
}

// The lab's request log, like a stack, holds no password.
func TestLogRedactsPasswords(t *testing.T) {
	u, _ := url.Parse("/ddns/nic/update-url?hostname=home.acme.local&username=fritzbox&password=s3cret0123456789&Password=x")
	got := local.RedactedForTest(u)
	if strings.Contains(got, "s3cret") || got != "/ddns/nic/update-url?hostname=home.acme.local&username=fritzbox&password=REDACTED&Password=REDACTED" {
		t.Errorf("logged %q", got)
	}
	// API Gateway decodes parameter names, as it decodes values: the
	// dyndns2 template reads pass%77ord as password.
	u, _ = url.Parse("/ddns/nic/update-url?username=fritzbox&pass%77ord=s3cret0123456789")
	if got := local.RedactedForTest(u); strings.Contains(got, "s3cret") {
		t.Errorf("logged %q", got)
	}
}
