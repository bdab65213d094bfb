package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// docsFast is docs/clients.md, where the event hooks, the address endpoint
// and polling it are documented.
const docsFast = "../../docs/clients.md"

// docsBlock is the fenced block after <!-- docs-fast: marker -->.
func docsBlock(t *testing.T, doc, marker string) string {
	t.Helper()
	return readmeBlock(t, doc, "docs-fast: "+marker)
}

// docsSessions splits a console block into commands ("$ " lines) and the
// output each shows.
func docsSessions(block string) (cmds, outputs []string) {
	for _, line := range strings.SplitAfter(block, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			cmds = append(cmds, strings.TrimSuffix(cmd, "\n"))
			outputs = append(outputs, "")
		} else if len(outputs) > 0 {
			outputs[len(outputs)-1] += line
		}
	}
	return cmds, outputs
}

// ddnsgenArgs are the arguments of a "ddnsgen ..." command line as the
// docs write it (no quoting), without a redirection, and the redirection's
// operator and file.
func ddnsgenArgs(t *testing.T, line string) (args []string, redirect, file string) {
	t.Helper()
	f := strings.Fields(line)
	if f[0] != "ddnsgen" {
		t.Fatalf("not a ddnsgen command: %q", line)
	}
	for i, w := range f {
		if w == ">" || w == ">>" {
			return f[1:i], w, f[i+1]
		}
	}
	return f[1:], "", ""
}

// TestDocsFast runs what docs/clients.md shows of the hooks and -poll: the hook install lines (in a
// scratch root in place of /), the stacks it generates, the timer and cron
// line of -poll, and the curl calls of GET /myip against the emulator,
// comparing each output with the page.
func TestDocsFast(t *testing.T) {
	b, err := os.ReadFile(docsFast)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)

	t.Run("install", func(t *testing.T) {
		root := t.TempDir()
		for _, marker := range []string{"install-networkmanager", "install-others"} {
			for _, line := range strings.Split(strings.TrimSpace(docsBlock(t, doc, marker)), "\n") {
				rooted := strings.ReplaceAll(line, " /etc/", " "+root+"/etc/")
				if strings.HasPrefix(line, "ddnsgen ") {
					args, redirect, file := ddnsgenArgs(t, rooted)
					os.MkdirAll(filepath.Dir(file), 0o755)
					flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
					if redirect == ">>" {
						flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
					}
					f, err := os.OpenFile(file, flags, 0o644)
					if err != nil {
						t.Fatal(err)
					}
					f.WriteString(clientOut(t, args[1:]...))
					f.Close()
					continue
				}
				for _, w := range strings.Fields(rooted) {
					if strings.HasPrefix(w, root) {
						os.MkdirAll(filepath.Dir(w), 0o755)
					}
				}
				if out, err := exec.Command("sh", "-c", rooted).CombinedOutput(); err != nil {
					t.Errorf("%s: %v\n%s", line, err, out)
				}
			}
		}
		nm := filepath.Join(root, "etc/NetworkManager/dispatcher.d/90-ddnsgen-update")
		got, _ := os.ReadFile(nm)
		if want := docsBlock(t, doc, "hook-networkmanager"); string(got) != want {
			t.Errorf("the page shows the NetworkManager hook as\n%s\nthe install line writes\n%s", want, got)
		}
		for _, p := range []string{nm, "etc/networkd-dispatcher/routable.d/50-ddnsgen-update", "etc/ppp/ip-up.d/ddnsgen-update",
			"etc/ppp/ipv6-up.d/ddnsgen-update", "etc/dhcpcd.exit-hook", "etc/hotplug.d/iface/95-ddnsgen-update"} {
			if !filepath.IsAbs(p) {
				p = filepath.Join(root, p)
			}
			fi, err := os.Stat(p)
			switch {
			case err != nil:
				t.Errorf("the install lines make no %s: %v", p, err)
			case strings.Contains(p, "dispatcher") || strings.Contains(p, "/ppp/"):
				if fi.Mode().Perm() != 0o755 {
					t.Errorf("%s has mode %v, want 755", p, fi.Mode().Perm())
				}
			}
		}
		// run-parts runs the ppp hook (a name it accepts).
		if out, err := exec.Command("run-parts", "--test", filepath.Join(root, "etc/ppp/ip-up.d")).Output(); err != nil || !strings.Contains(string(out), "ddnsgen-update") {
			t.Errorf("run-parts --test ip-up.d: %v %q", err, out)
		}
	})

	t.Run("stacks", func(t *testing.T) {
		for i, line := range strings.Split(strings.TrimSpace(docsBlock(t, doc, "myip-stack")), "\n") {
			args, _, _ := ddnsgenArgs(t, line)
			out := generateGolden(t, args)
			if i == 0 {
				if want, _ := os.ReadFile(filepath.Join(goldenDir, "myip.yaml")); !bytes.Equal(out, want) {
					t.Errorf("%s: not golden/myip.yaml", line)
				}
			}
			if !bytes.Contains(out, []byte("MyIpMethod:")) {
				t.Errorf("%s: no GET /myip", line)
			}
		}
	})

	t.Run("poll", func(t *testing.T) {
		cmds, outputs := docsSessions(docsBlock(t, doc, "poll-timer"))
		for i, cmd := range cmds {
			args, _, _ := ddnsgenArgs(t, cmd)
			if got := clientOut(t, args[1:]...); got != outputs[i] {
				t.Errorf("%s prints\n%s\nthe page shows\n%s", cmd, got, outputs[i])
			}
		}
	})

	t.Run("curl", func(t *testing.T) {
		lab.Require(t, "curl")
		const key, password = "YOUR_40_CHARACTER_API_KEY", "RouterPassword0123456789"
		r53 := startRoute53(t, "Z0FAKEROUTE53ZONE01")
		keysOnly := startLabFor(t, r53, "myip.yaml", map[string]string{"HostedZoneId": r53.Zone}, map[string]string{"ApiKey": key})
		params := map[string]string{}
		for _, d := range []string{"Router", "BackupRouter", "Nas", "Laptop", "Office"} {
			params["Password"+d] = d + "Password0123456789"
		}
		params["PasswordRouter"] = password
		withDynDNS2 := startLabFor(t, startRoute53(t, "Z0123456789ABCDEFGHIJ"), "myip-dyndns2.yaml", params, map[string]string{"ApiKeyRouter": key})
		for marker, h := range map[string]*hookLab{"myip-curl": keysOnly, "myip-curl-dyndns2": withDynDNS2} {
			h.nat = "203.0.113.7"
			base := h.url[:strings.Index(h.url, "/ddns/")]
			cmds, outputs := docsSessions(docsBlock(t, doc, marker))
			for i, cmd := range cmds {
				run := strings.NewReplacer("https://API.execute-api.REGION.amazonaws.com", base, "YOUR_PASSWORD", password).Replace(cmd)
				out, err := exec.Command("sh", "-c", run).Output()
				if err != nil || string(out) != outputs[i] {
					t.Errorf("%s: %v\n%q\nthe page shows\n%q", cmd, err, out, outputs[i])
				}
			}
		}
	})
}
