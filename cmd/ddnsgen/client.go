package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const clientUsage = `Usage: ddnsgen client -url UPDATE_URL -key API_KEY [flags]
       ddnsgen client -url UPDATE_URL -dyndns2 USER:PASSWORD [flags]

Prints ready set-ups for a device of a deployed stack: a curl one-liner, a
cron line, a systemd service and timer, a POSIX sh script that calls only
when the address changed and backs off on 429 and 5xx, event hooks that
run the script the moment the host's address changes (NetworkManager,
networkd-dispatcher, dhcpcd, ppp, OpenWrt hotplug), and (with -dyndns2)
ddclient.conf and inadyn.conf stanzas. Behind NAT, -poll SECONDS makes the
script ask the stack's GET /STAGE/myip (ddnsgen -myip) for the address
every SECONDS and call only when it changed. UPDATE_URL is the stack's
UpdateUrl output; the dyndns2 endpoint is the same URL with nic/update in
place of the zone id.

The set-ups hold the key or password: keep each file mode 600 (700 for the
script), owned by whoever runs it.

Flags:
`

// clientFormats are -format's values for ddnsgen client, in printing order.
var clientFormats = append(append([]string{"curl", "cron", "script", "service", "timer"}, clientHooks...), "ddclient", "inadyn")

var (
	// An API key as API Gateway takes it, minus characters that would need
	// quoting in a shell, a crontab (%) or a config file.
	clientKeyRE = lazyRE(`^[A-Za-z0-9._~+/=-]{20,128}$`)
	// ddnsgen's dyndns2 user (a device name) and password (AllowedPattern).
	clientUserRE     = lazyRE(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	clientPasswordRE = lazyRE(`^[A-Za-z0-9]{16,128}$`)
	clientHostRE     = lazyRE(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)
	clientSegmentRE  = lazyRE(`^[A-Za-z0-9_-]{1,128}$`)
	clientNameRE     = lazyRE(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$`)
	clientPathRE     = lazyRE(`^/[A-Za-z0-9._/-]{1,200}$`)
)

// clientSetup is what the set-ups are made of, validated: every value is
// safe inside single quotes, a crontab and a config file.
type clientSetup struct {
	url        *url.URL // the JSON endpoint, /STAGE/ZONEID
	stage      string
	key        string // API key, or ""
	user, pass string // dyndns2 credentials, or ""
	names      []string
	ipv4, ipv6 bool // the record types the device may set
	scriptPath string
	addressCmd string
	// poll is the interval in seconds at which the script asks GET
	// /STAGE/myip for the address (0: it does not).
	poll int
}

// runClient is `ddnsgen client`.
func runClient(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ddnsgen client", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		rawURL, key, dyndns2, hostname, types, format string
		s                                             clientSetup
	)
	fs.StringVar(&rawURL, "url", "", "the stack's update `URL` (its UpdateUrl output), https://API.execute-api.REGION.amazonaws.com/STAGE/ZONEID")
	fs.StringVar(&key, "key", "", "the device's API `key` (x-api-key)")
	fs.StringVar(&dyndns2, "dyndns2", "", "the device's dyndns2 `USER:PASSWORD` (ddclient, inadyn; the script too when there is no -key)")
	fs.StringVar(&hostname, "hostname", "", "the `names` to update, NAME[,NAME]; empty: the device's one name")
	fs.StringVar(&types, "type", "A", "the record `types` the device's names take, as given to ddnsgen -type: A, AAAA or A,AAAA")
	fs.StringVar(&format, "format", "all", "print one set-up only: `FORMAT` is "+strings.Join(clientFormats, ", ")+" (all: each, with instructions)")
	fs.StringVar(&s.scriptPath, "script-path", "/usr/local/sbin/ddnsgen-update", "where the script is installed (`path`), for the cron line and the systemd service")
	fs.StringVar(&s.addressCmd, "address-command", "", "a shell `command` that prints the current address, for the script, ddclient (use=cmd) and inadyn (checkip-command) (default: the script uses the host's own route source address when it is public; ddclient and inadyn ask checkip.amazonaws.com)")
	fs.IntVar(&s.poll, "poll", 0, "behind NAT: the script asks the stack's GET /STAGE/myip (ddnsgen -myip) for the address, and the timer and cron line run it every `SECONDS` (60-3600, whole minutes; 60 is the usual); 0: no polling")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, clientUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usagef("client: %v (see ddnsgen client -h)", flagError(fs, err))
	}
	if fs.NArg() > 0 {
		return usagef("client: unexpected argument %q (see ddnsgen client -h)", fs.Arg(0))
	}
	if rawURL == "" {
		return usagef("client: -url is required: the stack's UpdateUrl output (see ddnsgen client -h)")
	}
	if key == "" && dyndns2 == "" {
		return usagef("client: give -key API_KEY or -dyndns2 USER:PASSWORD (or both)")
	}
	u, err := url.Parse(rawURL)
	segs := []string(nil)
	if err == nil {
		segs = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || !clientHostRE().MatchString(u.Host) || u.User != nil:
		return usagef("client: -url %q: an update URL is https://HOST/STAGE/ZONEID", rawURL)
	case u.RawQuery != "" || u.Fragment != "":
		return usagef("client: -url %q: give the URL without ?query (use -hostname for names)", rawURL)
	case len(segs) != 2 || !clientSegmentRE().MatchString(segs[0]) || !zoneIDRE().MatchString(segs[1]):
		return usagef("client: -url %q: an update URL's path is /STAGE/ZONEID (the UpdateUrl output), not %q", rawURL, u.Path)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return usagef("client: -url %q: plain http would send the key in clear: use https (http only to 127.0.0.1, e.g. ddnsgen local)", rawURL)
	}
	u.Path = "/" + segs[0] + "/" + segs[1] // no trailing slash
	s.url, s.stage = u, segs[0]
	if key != "" && !clientKeyRE().MatchString(key) {
		return usagef("client: -key %q: an API key here is 20-128 letters, digits and ._~+/=- (aws apigateway get-api-key --include-value prints it)", key)
	}
	s.key = key
	if dyndns2 != "" {
		user, pass, ok := strings.Cut(dyndns2, ":")
		switch {
		case !ok:
			return usagef("client: -dyndns2 %q: write USER:PASSWORD (the device name and its Password parameter)", dyndns2)
		case !clientUserRE().MatchString(user):
			return usagef("client: -dyndns2 user %q: a device name is 1-32 lower-case letters, digits and inner hyphens", user)
		case !clientPasswordRE().MatchString(pass):
			// The password itself is not repeated: it is a secret.
			return usagef("client: -dyndns2: the password (%d characters) is not 16-128 letters and digits, as ddnsgen's Password parameters are", len(pass))
		}
		s.user, s.pass = user, pass
	}
	if hostname != "" {
		for _, n := range strings.Split(hostname, ",") {
			if !clientNameRE().MatchString(n) || len(n) > 254 {
				return usagef("client: -hostname %q: %q is not a fully qualified name (letters, digits, hyphens, dots)", hostname, n)
			}
			s.names = append(s.names, strings.ToLower(strings.TrimSuffix(n, ".")))
		}
	}
	switch strings.ReplaceAll(strings.ToUpper(types), " ", "") {
	case "A":
		s.ipv4 = true
	case "AAAA":
		s.ipv6 = true
	case "A,AAAA", "AAAA,A":
		s.ipv4, s.ipv6 = true, true
	default:
		return usagef("client: -type %q: a record type is A (IPv4) or AAAA (IPv6), or A,AAAA", types)
	}
	if !clientPathRE().MatchString(s.scriptPath) {
		return usagef("client: -script-path %q: an absolute path of letters, digits and ._/-", s.scriptPath)
	}
	if strings.ContainsAny(s.addressCmd, "'\"\n%") {
		return usagef("client: -address-command %q: quotes, %% and newlines cannot go into the script and the config files as written: put the command in a file and give its path", s.addressCmd)
	}
	switch {
	case s.poll == 0:
	case s.poll < 60 || s.poll > 3600 || s.poll%60 != 0:
		return usagef("client: -poll %d: an interval is 60 to 3600 seconds in whole minutes (cron counts minutes; every poll counts against the key's daily quota)", s.poll)
	case s.addressCmd != "":
		return usagef("client: -poll %d: give -poll or -address-command, not both (the script reads the address from one of them)", s.poll)
	}
	var order []string
	switch {
	case format == "all":
		order = clientFormats
		if s.user == "" {
			order = order[:len(order)-2]
		}
	case contains(clientFormats, format):
		if (format == "ddclient" || format == "inadyn") && s.user == "" {
			return usagef("client: -format %s: %s speaks dyndns2 only: give -dyndns2 USER:PASSWORD (the stack needs ddnsgen -dyndns2)", format, format)
		}
		order = []string{format}
	default:
		return usagef("client: -format %q: the formats are all, %s", format, strings.Join(clientFormats, ", "))
	}
	for i, f := range order {
		text := s.render(f)
		if format == "all" {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "# ==== %s ====\n", clientTitles[f])
			for _, line := range strings.Split(strings.TrimSpace(clientHowTo(f, &s)), "\n") {
				fmt.Fprintln(stdout, "# "+line)
			}
		}
		fmt.Fprint(stdout, text)
	}
	if format == "all" && s.user == "" {
		fmt.Fprint(stdout, "\n# ddclient and inadyn speak dyndns2 only: add -dyndns2 USER:PASSWORD for their stanzas.\n")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

var clientTitles = map[string]string{
	"curl":    "curl one-liner",
	"cron":    "cron line",
	"script":  "sh script: calls only when the address changed, backs off on 429/5xx",
	"service": "systemd service",
	"timer":   "systemd timer",
	// The event hooks.
	"networkmanager": "NetworkManager dispatcher hook: runs the script when an address changes",
	"networkd":       "networkd-dispatcher hook (systemd-networkd): runs the script when a link is routable",
	"dhcpcd":         "dhcpcd exit hook: runs the script when dhcpcd sets an address",
	"ppp":            "pppd ip-up hook: runs the script when the PPP link is up",
	"openwrt":        "OpenWrt hotplug.d/iface hook: runs the script when the WAN comes up or changes address",
	"ddclient":       "ddclient.conf (ddclient 3.10)",
	"inadyn":         "inadyn.conf (inadyn 2.10)",
}

// clientHowTo is the instruction printed above a set-up with -format all.
func clientHowTo(format string, s *clientSetup) string {
	base := s.scriptPath[strings.LastIndex(s.scriptPath, "/")+1:]
	switch format {
	case "curl":
		return "Updates now, from any shell (it holds the secret: mind your shell history)."
	case "cron":
		return "Root's crontab (crontab -e; it is private), once the script below is installed."
	case "script":
		return fmt.Sprintf("Save as %[1]s, then: chmod 700 %[1]s (it holds the secret).\n"+
			"ddnsgen client -format script ... > %[1]s prints it alone.", s.scriptPath)
	case "service":
		return fmt.Sprintf("Save as /etc/systemd/system/%s.service (mode 644: it holds no secret).", base)
	case "timer":
		return fmt.Sprintf("Save as /etc/systemd/system/%[1]s.timer, then: systemctl daemon-reload && systemctl enable --now %[1]s.timer\n"+
			"Logs: journalctl -u %[1]s.service", base)
	case "networkmanager", "networkd", "dhcpcd", "ppp", "openwrt":
		return s.hookHowTo(format) + "\nThe timer (or cron line) stays as the fallback for a missed event."
	case "ddclient":
		return "/etc/ddclient.conf: chmod 600 /etc/ddclient.conf (it holds the password)."
	case "inadyn":
		return "/etc/inadyn.conf: chmod 600 /etc/inadyn.conf (it holds the password)."
	}
	return ""
}

// jsonURL is the JSON endpoint's URL with the names, as curl gets it.
func (s *clientSetup) jsonURL() string {
	u := s.url.Scheme + "://" + s.url.Host + s.url.Path
	if len(s.names) > 0 {
		u += "?hostname=" + strings.Join(s.names, ",")
	}
	return u
}

// dyndns2Path is /STAGE/nic/update: the update URL with its last segment
// (the zone id) replaced.
func (s *clientSetup) dyndns2Path() string { return "/" + s.stage + "/nic/update" }

func (s *clientSetup) dyndns2URL() string {
	u := s.url.Scheme + "://" + s.url.Host + s.dyndns2Path()
	if len(s.names) > 0 {
		u += "?hostname=" + strings.Join(s.names, ",")
	}
	return u
}

func (s *clientSetup) curl() string {
	if s.key != "" {
		return "curl -sS -m 20 -H 'x-api-key: " + s.key + "' '" + s.jsonURL() + "'"
	}
	return "curl -sS -m 20 -u '" + s.user + ":" + s.pass + "' '" + s.dyndns2URL() + "'"
}

func (s *clientSetup) render(format string) string {
	base := s.scriptPath[strings.LastIndex(s.scriptPath, "/")+1:]
	switch format {
	case "curl":
		return s.curl() + "\n"
	case "cron":
		// The script, not curl: it calls only on a change and backs off.
		switch {
		case s.poll == 60:
			return "* * * * * " + s.scriptPath + " >/dev/null\n"
		case s.poll > 0:
			return fmt.Sprintf("*/%d * * * * %s >/dev/null\n", s.poll/60, s.scriptPath)
		}
		return "*/5 * * * * " + s.scriptPath + " >/dev/null\n"
	case "script":
		return s.script()
	case "service":
		return fmt.Sprintf(serviceUnit, s.what(), s.scriptPath, base)
	case "timer":
		if s.poll > 0 {
			return fmt.Sprintf(pollTimerUnit, s.what(), s.poll, s.poll/10)
		}
		return fmt.Sprintf(timerUnit, s.what(), base)
	case "networkmanager", "networkd", "dhcpcd", "ppp", "openwrt":
		return s.hook(format)
	case "ddclient":
		return s.ddclient()
	case "inadyn":
		return s.inadyn()
	}
	panic("unknown client format " + format)
}

// what says what is updated, for descriptions.
func (s *clientSetup) what() string {
	if len(s.names) > 0 {
		return strings.Join(s.names, ", ")
	}
	if s.user != "" && s.key == "" {
		return "device " + s.user + "'s names"
	}
	return "the device's name"
}

const serviceUnit = `[Unit]
Description=Point %[1]s at this host's address (ddnsgen)
Documentation=https://github.com/ddnsgen/ddnsgen#ddnsgen-client
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=%[2]s
# The script keeps the address it set, and its back-off, here.
StateDirectory=%[3]s
StateDirectoryMode=0700
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictNamespaces=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
`

const timerUnit = `[Unit]
Description=Point %[1]s at this host's address every 5 minutes (ddnsgen)

[Timer]
OnBootSec=1min
OnUnitActiveSec=5min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
`

// pollTimerUnit is the timer of -poll: each run asks GET /STAGE/myip and
// calls the update only when the answer changed.
const pollTimerUnit = `[Unit]
Description=Ask the stack for this host's address every %[2]d s and point %[1]s at it (ddnsgen)

[Timer]
OnBootSec=%[2]ds
OnUnitActiveSec=%[2]ds
RandomizedDelaySec=%[3]ds
AccuracySec=1s

[Install]
WantedBy=timers.target
`

// nameList is the device's names as ddclient and inadyn list them, or a
// placeholder to replace when they are not known.
func (s *clientSetup) nameList() string {
	if len(s.names) == 0 {
		return "YOUR.NAME.EXAMPLE"
	}
	return strings.Join(s.names, ", ")
}

func (s *clientSetup) ddclient() string {
	ssl := "yes"
	if s.url.Scheme == "http" {
		ssl = "no"
	}
	names := s.nameList()
	var b strings.Builder
	b.WriteString("protocol=dyndns2\n")
	if s.addressCmd != "" {
		fmt.Fprintf(&b, "use=cmd, cmd='%s'\n", s.addressCmd)
	} else {
		b.WriteString("use=web, web=https://checkip.amazonaws.com/\n")
	}
	fmt.Fprintf(&b, "ssl=%s\nserver=%s\nscript=%s\nlogin=%s\npassword=%s\n%s\n", ssl, s.url.Host, s.dyndns2Path(), s.user, s.pass, names)
	return b.String()
}

func (s *clientSetup) inadyn() string {
	ssl := "true"
	if s.url.Scheme == "http" {
		ssl = "false"
	}
	names := s.nameList()
	var b strings.Builder
	b.WriteString("period = 300\n")
	if s.ipv6 {
		// Only when the names take AAAA: otherwise an IPv6 address would be
		// refused (nohost) and inadyn would retry for ever.
		b.WriteString("allow-ipv6 = true\n")
	}
	b.WriteString("custom ddnsgen {\n")
	fmt.Fprintf(&b, "    ssl            = %s\n", ssl)
	fmt.Fprintf(&b, "    username       = %s\n", s.user)
	fmt.Fprintf(&b, "    password       = %s\n", s.pass)
	fmt.Fprintf(&b, "    ddns-server    = %s\n", s.url.Host)
	fmt.Fprintf(&b, "    ddns-path      = \"%s?hostname=%%h&myip=%%i\"\n", s.dyndns2Path())
	b.WriteString("    ddns-response  = { good, nochg }\n")
	fmt.Fprintf(&b, "    hostname       = { %s }\n", names)
	if s.addressCmd != "" {
		fmt.Fprintf(&b, "    checkip-command = \"%s\"\n", s.addressCmd)
	}
	b.WriteString("}\n")
	return b.String()
}
