package local_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// readmeHook is the hook script of docs/certificates.md, for ACME clients that run a program to set a DNS-01 challenge
// (lego's exec provider, certbot's --manual-auth-hook): the block after
// <!-- ddnsgen-acme-hook -->, run as the user would copy it.
func readmeHook(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../docs/certificates.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "<!-- ddnsgen-acme-hook -->\n")
	_, after, fenced := strings.Cut(after, "```sh\n")
	hook, _, closed := strings.Cut(after, "```")
	if !ok || !fenced || !closed || !strings.HasPrefix(hook, "#!/bin/sh\n") {
		t.Fatal("docs/certificates.md has no <!-- ddnsgen-acme-hook --> block with a #!/bin/sh script")
	}
	return hook
}

// TestACMECertificate is the way a user gets a certificate for a name of
// theirs: an ACME client asks Debian's pebble (Let's Encrypt's test CA) for
// a certificate and sets the DNS-01 challenge through the lab's POST
// /ddns/update with the device's name and API key; pebble validates it
// against a DNS server on 127.0.0.1 that answers from the records in moto.
// Each client is run first with another device's key (no certificate, no
// TXT record changed), then with the router's own (a certificate that
// verifies against pebble's root).
func TestACMECertificate(t *testing.T) {
	lab.Require(t, "lego", "pebble", "certbot", "curl")
	// The pessimistic world: no answer may rest on the carry.
	s := startStack(t, acmeSpec, carryWorlds[0])
	dns := startChallengeDNS(t, s, "acme.local")
	ca := startPebble(t, dns)
	const name = "home.acme.local"
	apiBase := s.api.URL + "/ddns"
	hook := filepath.Join(t.TempDir(), "ddnsgen-acme-hook")
	if err := os.WriteFile(hook, []byte(readmeHook(t)), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, client := range []struct {
		what string
		run  func(t *testing.T, dir, device, key string) (string, error)
		cert string // the certificate file, under dir
	}{
		{"lego, exec hook", func(t *testing.T, dir, device, key string) (string, error) {
			return ca.lego(t, dns, dir, name, device, key, apiBase, []string{"EXEC_PATH=" + hook})
		}, "certificates/" + name + ".crt"},
		{"certbot, manual auth hook", func(t *testing.T, dir, device, key string) (string, error) {
			return ca.certbot(t, dir, name, device, key, apiBase, hook)
		}, "config/live/" + name + "/fullchain.pem"},
	} {
		t.Run(client.what, func(t *testing.T) {
			dir := t.TempDir()
			before := s.txt("acme.local")
			out, err := client.run(t, dir, "nas", s.keys["ApiKeyNas"])
			if err == nil {
				t.Fatalf("the nas device's key got a certificate for %s:\n%s", name, out)
			}
			if !strings.Contains(out, "403") || !strings.Contains(out, "not_your_subdomain") {
				t.Errorf("with another device's key the client failed, but not on the lab's 403:\n%s", out)
			}
			if _, err := os.Stat(filepath.Join(dir, client.cert)); err == nil {
				t.Errorf("a certificate was written for the nas device")
			}
			if after := s.txt("acme.local"); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("the refused device changed TXT records from %q to %q", before, after)
			}

			dir = t.TempDir()
			out, err = client.run(t, dir, "router", s.keys["ApiKeyRouter"])
			if err != nil {
				t.Fatalf("with the router's key: %v\n%s", err, out)
			}
			ca.verify(t, filepath.Join(dir, client.cert), name)
			want := `_acme-challenge.` + name + ` 60 "`
			if txt := s.txt("acme.local"); len(txt) != 1 || !strings.HasPrefix(txt[0], want) {
				t.Errorf("moto holds TXT %q, want the one challenge record %s…", txt, want)
			}
		})
	}
}

// verify checks that a PEM file holds a certificate for name, followed by
// its chain, that verifies against pebble's root.
func (ca *pebbleCA) verify(t *testing.T, file, name string) {
	t.Helper()
	pemBytes, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the client succeeded but wrote no certificate: %v", err)
	}
	var chain []*x509.Certificate
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		t.Fatalf("no certificate in %s", file)
	}
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{DNSName: name, Roots: ca.root(t), Intermediates: intermediates}); err != nil {
		t.Errorf("the certificate for %s does not verify against pebble's root: %v", name, err)
	}
}

// challengeDNS answers TXT questions for names in a zone from moto's
// records, over UDP on 127.0.0.1: what pebble's validation asks. Any other
// question gets an empty answer.
type challengeDNS struct {
	addr string
}

func startChallengeDNS(t *testing.T, s *stack, zone string) *challengeDNS {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply := s.dnsReply(buf[:n], zone); reply != nil {
				conn.WriteTo(reply, from)
			}
		}
	}()
	return &challengeDNS{addr: conn.LocalAddr().String()}
}

// dnsReply answers one DNS query (RFC 1035, section 4): the question is
// echoed, and a TXT question for a name in the zone gets moto's values.
func (s *stack) dnsReply(q []byte, zone string) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if l > 63 || i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	question := q[12 : i+5]
	qname := strings.ToLower(strings.Join(labels, "."))
	qtype := binary.BigEndian.Uint16(q[i+1 : i+3])
	var values []string
	if qtype == 16 && strings.HasSuffix(qname, "."+zone) {
		for _, r := range s.txtQuiet(zone) {
			// "name ttl "value"" lines
			if n, v, ok := strings.Cut(r, " "); ok && n == qname {
				_, v, _ = strings.Cut(v, " ")
				values = append(values, strings.Trim(v, `"`))
			}
		}
	}
	var b bytes.Buffer
	b.Write(q[0:2])                                                      // id
	binary.Write(&b, binary.BigEndian, uint16(0x8400|uint16(q[2]&1)<<8)) // QR, AA, RD as asked
	binary.Write(&b, binary.BigEndian, []uint16{1, uint16(len(values)), 0, 0})
	b.Write(question)
	for _, v := range values {
		binary.Write(&b, binary.BigEndian, []uint16{0xC00C, 16, 1}) // the question's name, TXT, IN
		binary.Write(&b, binary.BigEndian, uint32(60))
		binary.Write(&b, binary.BigEndian, uint16(len(v)+1))
		b.WriteByte(byte(len(v)))
		b.WriteString(v)
	}
	return b.Bytes()
}

// txtQuiet is txt for the DNS server's goroutine: a failure is no records.
func (s *stack) txtQuiet(zone string) (out []string) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	return s.txt(zone)
}

// pebbleCA is a running pebble and the test CA its HTTPS listener uses.
type pebbleCA struct {
	dir, mgmt string
	caFile    string
}

func startPebble(t *testing.T, dns *challengeDNS) *pebbleCA {
	t.Helper()
	dir := t.TempDir()
	caFile, certFile, keyFile := tlsFiles(t, dir)
	listen, mgmt := lab.FreePort(t), lab.FreePort(t)
	config := map[string]any{"pebble": map[string]any{
		"listenAddress":                  fmt.Sprintf("127.0.0.1:%d", listen),
		"managementListenAddress":        fmt.Sprintf("127.0.0.1:%d", mgmt),
		"certificate":                    certFile,
		"privateKey":                     keyFile,
		"httpPort":                       lab.FreePort(t),
		"tlsPort":                        lab.FreePort(t),
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
	}}
	b, _ := json.Marshal(config)
	configFile := filepath.Join(dir, "pebble-config.json")
	if err := os.WriteFile(configFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command("pebble", "-config", configFile, "-dnsserver", dns.addr)
	// Validation is real: PEBBLE_VA_ALWAYS_VALID stays unset. No random
	// sleep before validating, no nonce refused on purpose, and no
	// authorisation reused: every order is validated.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"}
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("pebble's log:\n%s", log.String())
		}
	})
	ca := &pebbleCA{dir: fmt.Sprintf("https://127.0.0.1:%d/dir", listen), mgmt: fmt.Sprintf("https://127.0.0.1:%d", mgmt), caFile: caFile}
	client := ca.client(t)
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := client.Get(ca.dir)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return ca
			}
		}
		select {
		case <-done:
			t.Fatalf("pebble exited:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pebble did not answer on %s: %v\n%s", ca.dir, err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// client trusts the test CA of pebble's HTTPS listeners.
func (ca *pebbleCA) client(t *testing.T) *http.Client {
	pool := x509.NewCertPool()
	b, err := os.ReadFile(ca.caFile)
	if err != nil || !pool.AppendCertsFromPEM(b) {
		t.Fatalf("reading %s: %v", ca.caFile, err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// root is the root pebble signs certificates with (made afresh at each
// start), from its management interface.
func (ca *pebbleCA) root(t *testing.T) *x509.CertPool {
	resp, err := ca.client(t).Get(ca.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("pebble's root is not PEM: %q", b)
	}
	return pool
}

// lego runs `lego run` for one name with the acme-dns provider, as the
// README tells a user to: the storage file maps the name to the device's
// name (username), API key (password) and the name itself (subdomain).
// lego's one look at the TXT record before it asks pebble to validate
// (--dns.disable-cp: no wait for every authoritative server) goes to the
// test's DNS server too, so nothing leaves 127.0.0.1.
func (ca *pebbleCA) lego(t *testing.T, dns *challengeDNS, dir, name, device, key, apiBase string, execHook []string) (string, error) {
	t.Helper()
	storage := filepath.Join(dir, "acme-dns.json")
	accounts := map[string]map[string]any{name: {
		"username": device, "password": key, "subdomain": name,
		"fulldomain": "_acme-challenge." + name, "allowfrom": []string{},
	}}
	b, _ := json.Marshal(accounts)
	if err := os.WriteFile(storage, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	provider := "acme-dns"
	if execHook != nil {
		provider = "exec"
	}
	cmd := exec.CommandContext(ctx, "lego", "--server", ca.dir, "--email", "acme@example.com", "--accept-tos",
		"--path", dir, "--dns", provider, "--dns.resolvers", dns.addr,
		"--dns.disable-cp", "--domains", name, "run")
	cmd.Env = append(execHook,
		"DDNSGEN_ACME_URL="+apiBase+"/update", "DDNSGEN_DEVICE="+device, "DDNSGEN_API_KEY="+key,
		"PATH="+os.Getenv("PATH"), "HOME="+dir,
		"LEGO_CA_CERTIFICATES="+ca.caFile,
		"ACME_DNS_API_BASE="+apiBase,
		"ACME_DNS_STORAGE_PATH="+storage,
		// No CNAME lookup of _acme-challenge.NAME: there is nothing to follow.
		"LEGO_DISABLE_CNAME_SUPPORT=true",
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	)
	return runACMEClient(t, ctx, cmd)
}

// certbot runs `certbot certonly` with a manual DNS hook, as the README
// tells a user to, trusting pebble's HTTPS test CA.
func (ca *pebbleCA) certbot(t *testing.T, dir, name, device, key, apiBase, hook string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "certbot", "certonly", "--non-interactive", "--agree-tos",
		"--register-unsafely-without-email", "--server", ca.dir,
		"--config-dir", filepath.Join(dir, "config"), "--work-dir", filepath.Join(dir, "work"), "--logs-dir", filepath.Join(dir, "logs"),
		"--manual", "--preferred-challenges", "dns", "--manual-auth-hook", hook, "-d", name)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"REQUESTS_CA_BUNDLE=" + ca.caFile,
		"DDNSGEN_ACME_URL=" + apiBase + "/update", "DDNSGEN_DEVICE=" + device, "DDNSGEN_API_KEY=" + key,
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	}
	return runACMEClient(t, ctx, cmd)
}

// runACMEClient runs an ACME client in its own process group (killed, by its
// id, if it outlives ctx) and returns what it printed.
func runACMEClient(t *testing.T, ctx context.Context, cmd *exec.Cmd) (string, error) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v\n%s", cmd.Path, err, out)
	}
	return string(out), err
}

// tlsFiles writes a test CA and a certificate for 127.0.0.1 and localhost
// signed by it, for pebble's HTTPS listeners (Debian's pebble ships none).
func tlsFiles(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ddnsgen lab test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", keyDER)
}
