package main

import (
	"strings"
)

var zoneIDRE = lazyRE(`^[A-Z0-9]{1,32}$`)

// script is the POSIX sh set-up. The values substituted into it were
// validated by runClient: none holds a quote, a newline or a %.
func (s *clientSetup) script() string {
	mode := "json"
	endpoint := s.url.Scheme + "://" + s.url.Host + s.url.Path
	auth := "header = \"x-api-key: " + s.key + "\""
	if s.key == "" {
		mode = "dyndns2"
		endpoint = s.url.Scheme + "://" + s.url.Host + s.dyndns2Path()
		auth = "user = \"" + s.user + ":" + s.pass + "\""
	}
	families := "4"
	switch {
	case s.ipv4 && s.ipv6:
		families = "4 6"
	case s.ipv6:
		families = "6"
	}
	// -poll: the address comes from GET /STAGE/myip, which takes every
	// credential the device has (its key; its password too on a stack with
	// dyndns2).
	myipURL, myipAuth := "", "''"
	if s.poll > 0 {
		myipURL = s.url.Scheme + "://" + s.url.Host + "/" + s.stage + "/myip"
		var lines []string
		if s.key != "" {
			lines = append(lines, "'header = \"x-api-key: "+s.key+"\"'")
		}
		if s.user != "" {
			lines = append(lines, "'user = \""+s.user+":"+s.pass+"\"'")
		}
		myipAuth = strings.Join(lines, " ")
	}
	r := strings.NewReplacer(
		"@MYIP_URL@", myipURL,
		"@MYIP_AUTH@", myipAuth,
		"@MODE@", mode,
		"@ENDPOINT@", endpoint,
		"@AUTH@", auth,
		"@NAMES@", strings.Join(s.names, ","),
		"@FAMILIES@", families,
		"@ADDRESS_COMMAND@", s.addressCmd,
		"@WHAT@", s.what(),
		"@NOT_PUBLIC@", notPublicCases(),
	)
	return r.Replace(scriptText)
}

// scriptText is the script; @NAME@ are filled in by script().
//
// How it knows the address changed without asking a public service: the
// address is read on the host (ADDRESS_COMMAND, or the source address of
// the host's route, when that is a public address); the address the API
// set is read from the update's own answer and kept in the state file.
// A host behind NAT cannot see its public address: then every run calls,
// and the answer tells which address was set.
const scriptText = `#!/bin/sh
# Points @WHAT@ at this host's address through a ddnsgen stack.
# Written by ddnsgen client. It holds a secret: chmod 700 this file.
#
# It calls only when the address changed (or after REFRESH seconds), and
# backs off after 429 or 5xx answers: TRIES attempts a run, 2, 4, ... s
# apart, then no call before BACKOFF_MIN s, doubled per failed run up to
# BACKOFF_MAX. Exit 0: set or unchanged; 75: try later; 1: refused.
set -u

MODE=@MODE@
ENDPOINT='@ENDPOINT@'
NAMES='@NAMES@'
FAMILIES='@FAMILIES@'
# A command that prints the current address (both, comma-separated, for
# A,AAAA). Empty: the host's own route source address, if it is public.
ADDRESS_COMMAND='@ADDRESS_COMMAND@'
# The stack's GET /STAGE/myip, which answers the address this host calls
# from (behind NAT: the router's); empty: not asked.
MYIP_URL='@MYIP_URL@'

STATE=${DDNS_STATE:-${STATE_DIRECTORY:-${HOME:-/root}/.local/state}/ddnsgen-update.state}
REFRESH=${DDNS_REFRESH:-86400}
TRIES=${DDNS_TRIES:-3}
BACKOFF_MIN=${DDNS_BACKOFF_MIN:-60}
BACKOFF_MAX=${DDNS_BACKOFF_MAX:-3600}

log() { printf 'ddnsgen-update: %s\n' "$*" >&2; }

# curl reads the credentials from stdin: they never show in ps.
credentials() { printf '%s\n' '@AUTH@'; }

myip_credentials() { printf '%s\n' @MYIP_AUTH@; }

# myip 4|6: the address GET /STAGE/myip sees this host call from, over
# IPv4 or IPv6. Returns 75 (try later) when it does not answer or is
# throttled, 1 when it refuses the credentials.
myip() {
	a=$(myip_credentials | curl -sS -m 20 -"$1" -K - -w '\n%{http_code}' "$MYIP_URL") || {
		log "no answer from $MYIP_URL"
		return 75
	}
	code=$(printf '%s\n' "$a" | tail -n 1)
	a=$(printf '%s\n' "$a" | sed '$d' | tr -d ' \t\r\n')
	case $code in
	200) ;;
	429 | 5??)
		log "$MYIP_URL: HTTP $code: trying again at the next run"
		return 75
		;;
	*)
		log "$MYIP_URL refused, HTTP $code: $a"
		return 1
		;;
	esac
	case $a in '' | *[!0-9A-Fa-f.:]*)
		log "$MYIP_URL answered '$a', not an address"
		return 1
		;;
	esac
	echo "$a"
}

number() { case $1 in '' | *[!0-9]*) echo 0 ;; *) echo "$1" ;; esac; }

# hex4 A.B.C.D: 4 and the address in 8 hex digits; fails on anything else.
hex4() {
	case $1 in '' | *[!0-9.]* | *..* | .* | *.) return 1 ;; esac
	ifs=$IFS
	IFS=.
	# shellcheck disable=SC2086 # split at the dots (digits only: no globbing)
	set -- $1
	IFS=$ifs
	[ $# -eq 4 ] || return 1
	for o; do
		case $o in 0?* | ????*) return 1 ;; esac
		[ "$o" -le 255 ] || return 1
	done
	printf '4%02x%02x%02x%02x\n' "$1" "$2" "$3" "$4"
}

# hex6 IPV6: 6 and the address in 32 hex digits (:: and an IPv4 tail
# expanded); fails on anything else.
hex6() {
	a=$1
	case $a in '' | *[!0-9A-Fa-f:.]* | *:::* | *::*::* | :[!:]* | *[!:]:) return 1 ;; esac
	case $a in *.*)
		t=$(hex4 "${a##*:}") || return 1
		t=${t#4}
		a=${a%:*}:${t%????}:${t#????}
		;;
	esac
	case $a in
	*::*) hd=${a%%::*} tl=${a#*::} gap=yes ;;
	*) hd=$a tl='' gap=no ;;
	esac
	ifs=$IFS
	IFS=:
	# shellcheck disable=SC2086 # split at the colons (hex digits only)
	set -- $hd
	nh=$#
	# shellcheck disable=SC2086
	set -- $tl
	nt=$#
	# shellcheck disable=SC2086
	set -- $hd $tl
	IFS=$ifs
	fill=$((8 - nh - nt))
	if [ "$gap" = yes ]; then [ "$fill" -ge 1 ] || return 1; else [ "$fill" -eq 0 ] || return 1; fi
	out=6 i=0
	for g; do
		case $g in '' | ?????* | *[!0-9A-Fa-f]*) return 1 ;; esac
		if [ "$i" -eq "$nh" ]; then
			while [ "$fill" -gt 0 ]; do out=${out}0000 fill=$((fill - 1)); done
		fi
		out=$out$(printf '%04x' "0x$g") i=$((i + 1))
	done
	while [ "$fill" -gt 0 ]; do out=${out}0000 fill=$((fill - 1)); done
	echo "$out"
}

# public ADDRESS: false for what others cannot reach the host at: private,
# shared (CGNAT), loopback, link-local, unique-local, documentation,
# benchmarking and the other special-purpose ranges (ddnsgen's table).
public() {
	case $1 in
	*:*) h=$(hex6 "$1") || return 1 ;;
	*) h=$(hex4 "$1") || return 1 ;;
	esac
	case $h in
	@NOT_PUBLIC@
	esac
	return 0
}

# route_source 4|6: the source address of the host's route to the Internet.
route_source() {
	command -v ip >/dev/null 2>&1 || return 0
	if [ "$1" = 4 ]; then
		ip -4 route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p'
	else
		ip -6 route get 2001:db8::1 2>/dev/null | sed -n 's/.* src \([0-9A-Fa-f:]*\).*/\1/p'
	fi
}

# current: the address to set, or empty when the host cannot see it.
current() {
	if [ -n "$ADDRESS_COMMAND" ]; then
		a=$(sh -c "$ADDRESS_COMMAND" | tr -d ' \t\r\n') || return 1
		case $a in '' | *[!0-9A-Fa-f.:,]*)
			log "ADDRESS_COMMAND printed '$a', not an address"
			return 1
			;;
		esac
		echo "$a"
		return 0
	fi
	found=
	if [ -n "$MYIP_URL" ]; then
		for f in $FAMILIES; do
			a=$(myip "$f") || return
			found=${found:+$found,}$a
		done
		echo "$found"
		return 0
	fi
	for f in $FAMILIES; do
		a=$(route_source "$f")
		public "$a" || return 0
		found=${found:+$found,}$a
	done
	echo "$found"
}

save() { # address set_at failures not_before
	mkdir -p "$(dirname "$STATE")" &&
		printf '%s %s %s %s\n' "$1" "$2" "$3" "$4" >"$STATE.new" &&
		mv "$STATE.new" "$STATE"
}

# One run at a time: one change of address fires several events at once
# (NetworkManager: up, dhcp4-change, dhcp6-change, ...), each starting a
# run; the later runs wait, then find the address set and call nothing.
# flock(1) where there is one (util-linux, BusyBox); else runs may overlap.
if command -v flock >/dev/null 2>&1 && mkdir -p "$(dirname "$STATE")" && touch "$STATE.lock" 2>/dev/null; then
	exec 9>>"$STATE.lock"
	flock -w 120 9 || log "another run holds $STATE.lock: going on"
fi

now=$(date +%s)
last='' set_at=0 failures=0 not_before=0
if [ -r "$STATE" ]; then
	read -r last set_at failures not_before <"$STATE"
fi
set_at=$(number "${set_at:-}")
failures=$(number "${failures:-}")
not_before=$(number "${not_before:-}")

if [ "$now" -lt "$not_before" ]; then
	log "backing off after $failures failed run(s): no call for $((not_before - now)) s"
	exit 0
fi

addr=$(current) || exit $?
if [ -n "$addr" ] && [ "$addr" = "$last" ] && [ $((now - set_at)) -lt "$REFRESH" ]; then
	exit 0 # unchanged: no call
fi

query=
[ -n "$NAMES" ] && query="hostname=$NAMES"
if [ -n "$addr" ]; then
	if [ "$MODE" = json ]; then p=ip; else p=myip; fi
	query="${query:+$query&}$p=$addr"
fi
url=$ENDPOINT${query:+?$query}

try=1
while :; do
	answer=$(credentials | curl -sS -m 20 -K - -w '\n%{http_code}' "$url") || answer="
000"
	status=$(printf '%s\n' "$answer" | tail -n 1)
	body=$(printf '%s\n' "$answer" | sed '$d')
	retry=no
	case $status in
	429 | 5??) retry=yes ;;
	200) if [ "$MODE" = dyndns2 ] && printf '%s\n' "$body" | grep -q '^911'; then retry=yes; fi ;;
	esac
	if [ "$retry" = no ] || [ "$try" -ge "$TRIES" ]; then
		break
	fi
	sleep $((1 << try))
	try=$((try + 1))
done

if [ "$retry" = yes ]; then
	failures=$((failures + 1))
	delay=$BACKOFF_MIN i=1
	while [ "$i" -lt "$failures" ] && [ "$delay" -lt "$BACKOFF_MAX" ]; do
		delay=$((delay * 2)) i=$((i + 1))
	done
	if [ "$delay" -gt "$BACKOFF_MAX" ]; then delay=$BACKOFF_MAX; fi
	save "$last" "$set_at" "$failures" $((now + delay))
	log "HTTP $status ($body): no call for $delay s"
	exit 75
fi

case $status in
000)
	log "no answer from $ENDPOINT"
	exit 75
	;;
200) ;;
*)
	log "refused, HTTP $status: $body"
	exit 1
	;;
esac

if [ "$MODE" = json ]; then
	set=$(printf '%s\n' "$body" | tr ',' '\n' | sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | sort -u | paste -sd, -)
else
	if printf '%s\n' "$body" | grep -qv '^good '; then
		log "refused: $body"
		exit 1
	fi
	set=$(printf '%s\n' "$body" | sed -n 's/^good \([0-9A-Fa-f.:,]*\).*/\1/p' | sort -u | paste -sd, -)
fi
if [ -z "$set" ]; then
	log "unexpected answer: $body"
	exit 1
fi
# Remember what was asked for (what the next run compares) when the host
# knows its address; else what the API set.
save "${addr:-$set}" "$now" 0 0
[ "$set" = "$last" ] || echo "set to $set"
exit 0
`
