package local_test

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
)

// floodStack serves a dyndns2 stack with two devices (router, nas), its
// throttles on, and a web ACL when wafRate is not 0.
func floodStack(t *testing.T, wafRate int, delay time.Duration) (*local.Server, string) {
	t.Helper()
	return servedStack(t, wafRate, delay, cfn.Limits{DynDNS2Rate: 2, DynDNS2Burst: 4}, nil)
}

// servedStack is floodStack with the limits given; edit, when not nil,
// changes the template before it is served.
func servedStack(t *testing.T, wafRate int, delay time.Duration, limits cfn.Limits, edit func([]byte) []byte) (*local.Server, string) {
	t.Helper()
	lab.Require(t, "moto_server")
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	tmpl, err := cfn.Build(cfn.Config{
		DynDNS2: true,
		Zones:   []cfn.Zone{{Name: "acme.local", ID: zone}},
		Records: []cfn.Record{{Name: "home.acme.local"}, {Name: "vpn.acme.local"}, {Name: "nas.acme.local"}},
		Devices: []cfn.Device{{Name: "router", Records: []string{"home.acme.local", "vpn.acme.local"}}, {Name: "nas", Records: []string{"nas.acme.local"}}},
		Limits:  limits,
		WAFRate: wafRate,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfn.YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		b = edit(b)
	}
	srv, err := local.Start(context.Background(), local.Options{
		Template:   b,
		Parameters: map[string]string{"PasswordRouter": "routerpassw0rd123456", "PasswordNas": "naspassw0rd123456789"},
		Route53URL: moto.URL, Engine: lab.Velocity(t), WAFDelay: delay,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, zone
}

// from is an HTTP client whose requests come from a loopback address of
// its own (127.0.0.2, ...): a distinct source address to the lab and WAF.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

type wafAnswer struct {
	status int
	body   string
	header http.Header
}

func getFrom(t *testing.T, c *http.Client, url, user, pass string) wafAnswer {
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return wafAnswer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return wafAnswer{resp.StatusCode, string(b), resp.Header}
}

// flood sends /nic/update without credentials from 127.0.0.2 at 20
// requests a second while the router (127.0.0.3) and the nas (127.0.0.4)
// each send updates updates 1.5 s apart, the first once the flood is on; it
// returns the flooder's answers and the devices'. The devices' updates are
// counted, not timed, so a slow machine sends as many.
func flood(t *testing.T, api string, updates int) (flooder, devices []wafAnswer) {
	var mu sync.Mutex
	var flooding, updating sync.WaitGroup
	done := make(chan struct{})
	flooding.Add(1)
	go func() {
		defer flooding.Done()
		c := from("127.0.0.2")
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			a := getFrom(t, c, api+"/ddns/nic/update?hostname=home.acme.local&myip=192.0.2.66", "", "")
			mu.Lock()
			flooder = append(flooder, a)
			mu.Unlock()
		}
	}()
	for i, dev := range []struct{ ip, user, pass, name string }{
		{"127.0.0.3", "router", "routerpassw0rd123456", "home.acme.local"},
		{"127.0.0.4", "nas", "naspassw0rd123456789", "nas.acme.local"},
	} {
		updating.Add(1)
		go func() {
			defer updating.Done()
			c := from(dev.ip)
			time.Sleep(time.Second + time.Duration(i)*750*time.Millisecond) // the flood is on
			for range updates {
				a := getFrom(t, c, api+"/ddns/nic/update?hostname="+dev.name+"&myip=198.51.100.7", dev.user, dev.pass)
				mu.Lock()
				devices = append(devices, a)
				mu.Unlock()
				time.Sleep(1500 * time.Millisecond)
			}
		}()
	}
	updating.Wait()
	close(done)
	flooding.Wait()
	return flooder, devices
}

// TestWAFKeepsDevicesUpdating (issue 22): one address flooding /nic/update
// at 20 requests a second is blocked by the web ACL (-waf-rate) with the
// dyndns2 answer every client retries (503, 911), and every other device's
// update goes through; without the web ACL the same flood spends the
// dyndns2 throttle and the devices are answered 503 911 by the THROTTLED
// gateway response (the lockout docs/operations.md documents).
func TestWAFKeepsDevicesUpdating(t *testing.T) {
	t.Run("waf", func(t *testing.T) {
		srv, zone := floodStack(t, 10, 0)
		api := srv.APIs[0].URL
		flooder, devices := flood(t, api, 2)
		for _, a := range devices {
			if a.status != 200 || a.body != "good 198.51.100.7\n" {
				t.Errorf("a device's update under a flood: %d %q, want 200 good", a.status, a.body)
			}
		}
		blocked := 0
		for _, a := range flooder[10:] {
			if a.status != 503 || a.body != "911\n" || a.header.Get("Retry-After") != "300" || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
				t.Errorf("the flooder's request past the limit: %d %q %v, want WAF's 503 911", a.status, a.body, a.header)
			}
			blocked++
		}
		if blocked < 40 {
			t.Errorf("%d of the flooder's %d requests blocked", blocked, len(flooder))
		}
		// The JSON endpoint keeps its 429 (its own rule, its own count).
		c := from("127.0.0.5")
		var last wafAnswer
		for range 11 {
			last = getFrom(t, c, api+"/ddns/"+zone+"?hostname=home.acme.local", "", "")
		}
		if last.status != 429 || strings.Contains(last.body, "911") {
			t.Errorf("the JSON endpoint's 11th request from one address: %d %q, want WAF's 429", last.status, last.body)
		}
	})
	t.Run("no waf", func(t *testing.T) {
		srv, _ := floodStack(t, 0, 0)
		_, devices := flood(t, srv.APIs[0].URL, 2)
		throttled := 0
		for _, a := range devices {
			switch {
			case a.status == 503 && a.body == "911\n" && a.header.Get("Retry-After") == "1":
				throttled++
			case a.status == 200 && a.body == "good 198.51.100.7\n":
			default:
				t.Errorf("a device's update: %d %q, want 200 good or the THROTTLED answer 503 911", a.status, a.body)
			}
		}
		if throttled == 0 {
			t.Errorf("no device update of %d was throttled by the flood: the lockout is not modelled", len(devices))
		}
	})
}
