package templates

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

var (
	//go:embed acme-request.vtl
	acmeRequestVTL string
	//go:embed acme-response.vtl
	acmeResponseVTL string
)

// ACMETTL is the TTL, in seconds, of the _acme-challenge TXT records the
// acme-dns endpoint writes: short, so that a client that retries after a
// failed validation is not answered the old value from a resolver's cache
// for long.
const ACMETTL = 60

// Route53Class is the class of Route 53 answer an integration response
// handles: its HTTP status class.
type Route53Class string

// The classes of Route 53 answers.
const (
	Route53OK          Route53Class = "2xx"
	Route53ClientError Route53Class = "4xx"
	Route53ServerError Route53Class = "5xx"
)

// ACMERequest renders the request template of the acme-dns endpoint
// (POST /update, headers X-Api-User and X-Api-Key, JSON body
// {"subdomain": NAME, "txt": VALUE}): it UPSERTs the TXT record
// _acme-challenge.NAME to "VALUE" when NAME is a record of the caller's
// device, or sends a refusal the role may not make, to the hosted zone
// DDNSGENR<verdict>. d is the same Data as for UpdateRequest; d.Open is
// refused, since without API keys there is no device to check.
func ACMERequest(d Data) (string, error) {
	if d.Open {
		return "", fmt.Errorf("templates: the acme-dns endpoint needs API keys (Data.Open is set)")
	}
	data, err := d.vtl(forKeys)
	if err != nil {
		return "", err
	}
	return lean("request template of the acme-dns endpoint",
		data, fmt.Sprintf("#set($acme_ttl = %d)\n", ACMETTL), acmeRequestVTL), nil
}

// ACMEResponse renders the response template of the acme-dns endpoint for
// one class of Route 53 answer: 200 {"txt": VALUE} on success; 401, 400 or
// 403 with acme-dns's error names for a refusal; 429 or 502 when Route 53
// refused or failed an accepted change. Every answer carries the header
// X-Ddnsgen-Via that says how it was learnt (echo, echo+carry, carry, none).
func ACMEResponse(class Route53Class) string {
	switch class {
	case Route53OK, Route53ClientError, Route53ServerError:
	default:
		panic(fmt.Sprintf("templates: ACMEResponse: unknown class %q", class))
	}
	return lean("response template of the acme-dns endpoint, Route 53 "+string(class),
		"#set($r53class = '"+string(class)+"')\n", acmePart(acmeResponseVTL, class))
}

// acmePart is the head of a response template source and the parts marked
// "## ==== CLASSES ====" that name class: each integration response
// carries only what it can run (a stack has 51,200 bytes inline).
func acmePart(src string, class Route53Class) string {
	var b strings.Builder
	keep := true
	for _, line := range strings.SplitAfter(src, "\n") {
		if marker, ok := strings.CutPrefix(line, "## ==== "); ok {
			keep = slices.Contains(strings.Fields(strings.TrimSuffix(strings.TrimSpace(marker), "====")), string(class))
			continue
		}
		if keep {
			b.WriteString(line)
		}
	}
	return b.String()
}
