package main

import (
	"strings"
)

// clientHooks are the -format values of the event hooks: each runs the
// script as soon as the host's network stack reports a new address, so the
// update leaves within a second or two of the change instead of at the
// next timer or cron run (which stays, as the fallback for a missed event).
var clientHooks = []string{"networkmanager", "networkd", "dhcpcd", "ppp", "openwrt"}

// hookPaths is where each hook is installed (@BASE@: the script's name).
var hookPaths = map[string]string{
	"networkmanager": "/etc/NetworkManager/dispatcher.d/90-@BASE@",
	"networkd":       "/etc/networkd-dispatcher/routable.d/50-@BASE@",
	"dhcpcd":         "/etc/dhcpcd.exit-hook",
	"ppp":            "/etc/ppp/ip-up.d/@BASE@ and /etc/ppp/ipv6-up.d/@BASE@",
	"openwrt":        "/etc/hotplug.d/iface/95-@BASE@",
}

// hookHowTo is each hook's install instruction.
var hookHowTo = map[string]string{
	"networkmanager": "NetworkManager runs it on up, dhcp4-change, dhcp6-change, ...: save as @PATH@,\n" +
		"then: chown root:root @PATH@ && chmod 755 @PATH@ (NetworkManager skips it otherwise).",
	"networkd": "networkd-dispatcher (systemd-networkd) runs it when a link becomes routable: save as @PATH@,\n" +
		"then: chown root:root @PATH@ && chmod 755 @PATH@.\n" +
		"A new address without a change of state (a DHCP renewal, IPv6 SLAAC) fires nothing: the timer catches it.",
	"dhcpcd": "dhcpcd sources it after each event (BOUND, RENEW, ROUTERADVERT, ...): append to @PATH@\n" +
		"(it is sourced, not run: no #! line is needed, and it sets no variable dhcpcd uses).",
	"ppp": "pppd runs it when the link is up: save as @PATH@\n" +
		"(run-parts skips names with a dot), then: chmod 755 both.",
	"openwrt": "OpenWrt's hotplug runs it on ifup and on ifupdate with new addresses: save as @PATH@\n" +
		"(WAN lists the interfaces that carry the public address; the script needs curl).",
}

// hookRun is how every hook starts the script: detached, so that the
// dispatcher is not held up by the call (or by a back-off's sleep), its
// input closed, its messages to syslog when there is one (and nothing left
// on the dispatcher's output, which it may read to the end); with the state
// file of the systemd service, so that the hook, the timer and cron agree
// on the address last set (the service's StateDirectory is the script's
// name; the script names its state file ddnsgen-update.state in it).
const hookRun = `ddnsgen_update() {
	DDNS_STATE=${DDNS_STATE:-/var/lib/@BASE@/ddnsgen-update.state}
	export DDNS_STATE
	if command -v logger >/dev/null 2>&1; then
		'@SCRIPT@' 2>&1 </dev/null | logger -t @BASE@ >/dev/null 2>&1 &
	else
		'@SCRIPT@' </dev/null >/dev/null 2>&1 &
	fi
}
`

var hookTexts = map[string]string{
	// NetworkManager runs dispatcher scripts with the interface and the
	// action as arguments (NetworkManager-dispatcher(8)).
	"networkmanager": `#!/bin/sh
# NetworkManager dispatcher hook (ddnsgen): updates @WHAT@ as soon as an
# interface comes up or its address changes.
` + hookRun + `case ${2:-} in
up | dhcp4-change | dhcp6-change | reapply | connectivity-change)
	[ "${1:-}" = lo ] || ddnsgen_update
	;;
esac
`,
	// networkd-dispatcher runs the scripts of the state's directory with
	// IFACE, STATE and the addresses in the environment, no arguments.
	"networkd": `#!/bin/sh
# networkd-dispatcher hook (ddnsgen): updates @WHAT@ as soon as a link
# becomes routable (systemd-networkd).
` + hookRun + `[ "${IFACE:-}" = lo ] || ddnsgen_update
`,
	// dhcpcd-run-hooks sources /etc/dhcpcd.exit-hook with $reason and
	// $interface set (dhcpcd-run-hooks(8)). Sourced: no exit, and only
	// names of our own. Sourced in one shell with any other hook appended
	// to the file (another script's): the call runs in a subshell, so that
	// the DDNS_STATE it exports does not become the next hook's.
	"dhcpcd": `#!/bin/sh
# dhcpcd exit hook (ddnsgen): updates @WHAT@ as soon as dhcpcd sets an
# address (DHCP, DHCPv6, router advertisements, static).
` + hookRun + `case ${reason:-} in
BOUND | RENEW | REBIND | REBOOT | STATIC | BOUND6 | RENEW6 | REBIND6 | REBOOT6 | INFORM6 | ROUTERADVERT)
	(ddnsgen_update)
	;;
esac
`,
	// pppd runs /etc/ppp/ip-up (Debian: run-parts /etc/ppp/ip-up.d) with
	// interface, tty, speed, local address, remote address, ipparam.
	"ppp": `#!/bin/sh
# pppd ip-up/ipv6-up hook (ddnsgen): updates @WHAT@ as soon as the PPP
# link has its address.
` + hookRun + `ddnsgen_update
`,
	// hotplug-call sources the scripts of /etc/hotplug.d/iface in a
	// subshell with ACTION, INTERFACE (the logical name) and DEVICE set;
	// ifupdate carries IFUPDATE_ADDRESSES=1 when the addresses changed.
	"openwrt": `#!/bin/sh
# OpenWrt hotplug.d/iface hook (ddnsgen): updates @WHAT@ as soon as a WAN
# interface comes up or its address changes.
WAN='wan wan6'
` + hookRun + `for wan in $WAN; do
	[ "${INTERFACE:-}" = "$wan" ] || continue
	case ${ACTION:-} in
	ifup) ddnsgen_update ;;
	ifupdate) [ "${IFUPDATE_ADDRESSES:-}" != 1 ] || ddnsgen_update ;;
	esac
done
`,
}

// hook renders an event hook.
func (s *clientSetup) hook(name string) string {
	return s.hookReplacer().Replace(hookTexts[name])
}

func (s *clientSetup) hookHowTo(name string) string {
	r := s.hookReplacer()
	return strings.NewReplacer("@PATH@", r.Replace(hookPaths[name])).Replace(hookHowTo[name])
}

func (s *clientSetup) hookReplacer() *strings.Replacer {
	base := s.scriptPath[strings.LastIndex(s.scriptPath, "/")+1:]
	return strings.NewReplacer("@SCRIPT@", s.scriptPath, "@BASE@", base, "@WHAT@", s.what())
}
