package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/ddnsgen/ddnsgen/local"
)

// printBanner is what `ddnsgen local` prints once serving: per RestApi its
// routes, update URLs and API keys, then every dyndns2 login with what to
// paste into each client and router (local host:port and credentials filled
// in), then the custom domains.
func printBanner(w io.Writer, apis []*local.API, domains []*local.Domain) {
	for _, api := range apis {
		fmt.Fprintf(w, "RestApi %s (id %s) at %s\n", api.LogicalID, api.ID, api.URL)
		for _, route := range api.Routes() {
			fmt.Fprintf(w, "  %s\n", route)
		}
		updateURLs := api.UpdateURLs()
		for _, u := range updateURLs {
			fmt.Fprintf(w, "  update URL: %s\n", u)
		}
		logins := api.Logins()
		for _, k := range api.Keys {
			fmt.Fprintf(w, "  API key %s (%s, id %s): %s\n", k.Name, k.LogicalID, k.ID, k.Value)
			if len(updateURLs) == 0 {
				continue
			}
			// The key's device is the key name's last part (STACK-DEVICE).
			query := ""
			for _, l := range logins {
				if strings.HasSuffix(k.Name, "-"+l.User) && len(l.Names) > 1 {
					query = "?hostname=" + l.Names[0]
				}
			}
			fmt.Fprintf(w, "    curl -sS -H 'x-api-key: %s' '%s%s'\n", k.Value, updateURLs[0], query)
		}
		for _, l := range logins {
			printLogin(w, api, l, updateURLs)
		}
	}
	for _, d := range domains {
		fmt.Fprintf(w, "Custom domain %s at %s (send Host: %s)\n", d.Name, d.URL, d.Name)
		for _, route := range d.Routes() {
			fmt.Fprintf(w, "  %s\n", route)
		}
	}
}

// printLogin prints one dyndns2 device's login and its set-ups.
func printLogin(w io.Writer, api *local.API, l local.Login, updateURLs []string) {
	names := "names: see the template"
	if len(l.Names) > 0 {
		names = "names " + strings.Join(l.Names, ", ")
	}
	fmt.Fprintf(w, "  dyndns2 user %s, password %s (%s)\n", l.User, l.Password, names)
	if !api.HasRoute("GET", "/nic/update") {
		return
	}
	host := strings.TrimPrefix(api.URL, "http://")
	base := api.URL + "/" + l.Stage
	hostname := "YOUR.NAME.EXAMPLE"
	if len(l.Names) > 0 {
		hostname = l.Names[0]
	}
	user, pass := url.QueryEscape(l.User), url.QueryEscape(l.Password)
	fmt.Fprintf(w, "    curl -sS -u '%s:%s' '%s/nic/update?hostname=%s'\n", l.User, l.Password, base, hostname)
	if api.HasRoute("GET", "/nic/update-url") {
		// A name of both families takes the router's IPv6 address too.
		myip := "<ipaddr>"
		if len(l.Names) > 0 && allTake(l, "AAAA") && allTake(l, "A") {
			myip = "<ipaddr>,<ip6addr>"
		}
		fmt.Fprintf(w, "    FRITZ!Box update URL: %s/nic/update-url?hostname=<domain>&myip=%s&username=%s&password=%s\n", base, myip, user, pass)
		fmt.Fprintf(w, "    Synology query URL: %s/nic/update-url?hostname=__HOSTNAME__&myip=__MYIP__&username=%s&password=%s\n", base, user, pass)
	} else {
		fmt.Fprintf(w, "    (FRITZ!Box and Synology put credentials in the URL: generate the stack with -query-credentials for their URL)\n")
	}
	fmt.Fprintf(w, "    ddclient.conf: protocol=dyndns2, ssl=no, server=%s, script=/%s/nic/update, login=%s, password=%s\n", host, l.Stage, l.User, l.Password)
	fmt.Fprintf(w, "    inadyn.conf: ssl = false, ddns-server = %s, ddns-path = \"/%s/nic/update?hostname=%%h&myip=%%i\", username = %s, password = %s\n", host, l.Stage, l.User, l.Password)
	for _, u := range updateURLs {
		if !strings.HasPrefix(u, base+"/") {
			continue
		}
		types := "A"
		if len(l.Names) > 0 && allTake(l, "AAAA") {
			types = "AAAA"
			if allTake(l, "A") {
				types = "A,AAAA"
			}
		}
		hostnames := ""
		if len(l.Names) > 0 {
			hostnames = " -hostname " + strings.Join(l.Names, ",")
		}
		fmt.Fprintf(w, "    whole set-ups: ddnsgen client -url %s -dyndns2 %s:%s%s -type %s -format ddclient (or inadyn, script)\n", u, l.User, l.Password, hostnames, types)
		break
	}
}

// allTake reports whether every name of the login takes records of type typ.
func allTake(l local.Login, typ string) bool {
	for _, n := range l.Names {
		found := false
		for _, t := range l.Types[n] {
			found = found || t == typ
		}
		if !found {
			return false
		}
	}
	return true
}
