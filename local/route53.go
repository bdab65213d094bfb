package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ddnsgen/ddnsgen/local/route53"
)

// The lab's Route 53 is one of two backends behind the same calls: an
// endpoint such as moto_server (Options.Route53URL), or route53.Memory in
// process when no endpoint is given. Every call goes over Route 53's
// REST/XML protocol through s.client, so both answer the integration the
// same way; for Memory the HTTP round trip stays in process.

// inProcessURL is the base URL of the in-process Route 53 (never dialled).
const inProcessURL = "http://route53.in-process"

// handlerTransport serves requests with an http.Handler, in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// madeUpZoneID is a stable hosted zone id for a template's hosted zone (or
// zone id parameter) that has none: Z and 20 upper-case letters and digits.
func madeUpZoneID(stack, logicalID string) string {
	return "Z" + strings.ToUpper(physicalID(stack, "hostedzone/"+logicalID, 20))
}

// inProcessParameters gives every hosted zone id parameter without a value
// (given or Default) a made-up id: with Route 53 in process the zone is
// made for the template, so there is no id to look up first.
func inProcessParameters(o *Options) error {
	doc, err := parseTemplate(o.Template)
	if err != nil {
		return err
	}
	decl, _ := doc["Parameters"].(map[string]any)
	given := maps.Clone(o.Parameters)
	if given == nil {
		given = map[string]string{}
	}
	for name, v := range decl {
		p, _ := v.(map[string]any)
		_, hasDefault := p["Default"]
		if _, ok := given[name]; ok || hasDefault || p["Type"] != "AWS::Route53::HostedZone::Id" {
			continue
		}
		given[name] = madeUpZoneID(o.StackName, name)
	}
	o.Parameters = given
	return nil
}

// zoneIDs are the hosted zones the template's roles may change, with the
// record names their policies allow there, by zone id.
func (st *stack) zoneIDs() (map[string][]string, error) {
	out := map[string][]string{}
	for _, rl := range st.roles {
		for _, doc := range rl.policies {
			p, err := route53.ParsePolicy(doc)
			if err != nil {
				return nil, fmt.Errorf("the lab cannot evaluate role %s's policy: %w", rl.arn, err)
			}
			for id, names := range p.HostedZones() {
				out[id] = append(out[id], names...)
			}
		}
	}
	return out, nil
}

// startInProcess makes the in-process Route 53 and its hosted zones: one
// for each zone a role of the template may change, named as the template's
// AWS::Route53::HostedZone says, else after the record names the role may
// change there (route53.GuessZoneName).
func (s *Server) startInProcess() error {
	zones, err := s.st.zoneIDs()
	if err != nil {
		return err
	}
	s.memory = route53.NewMemory()
	for _, id := range slices.Sorted(maps.Keys(zones)) {
		name := s.st.hostedZones[id]
		if name == "" {
			name = route53.GuessZoneName(zones[id])
		}
		if name == "" {
			s.logf("route53: no hosted zone made for %s: its role's policy names no record in it\n", id)
			continue
		}
		if err := s.memory.AddZone(id, name); err != nil {
			return err
		}
	}
	s.route53URL = inProcessURL
	s.client = &http.Client{Transport: handlerTransport{s.memory}}
	return nil
}

// checkEndpoint makes sure the Route 53 endpoint answers as Route 53 does
// (ListHostedZones), so that a wrong address is refused at start with the
// reason instead of failing every request.
func (s *Server) checkEndpoint(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := s.route53Call(ctx, http.MethodGet, "/2013-04-01/hostedzone?maxitems=1", nil, nil)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("the Route 53 endpoint %s does not answer (%v): start moto_server there, or leave the endpoint out to keep records in process", s.route53URL, err)
	}
	if resp.status != http.StatusOK || !strings.Contains(resp.body, "<ListHostedZonesResponse") {
		return fmt.Errorf("the Route 53 endpoint %s answered ListHostedZones with HTTP %d, not as Route 53 does: is it moto_server?", s.route53URL, resp.status)
	}
	return nil
}

// route53Call makes one SigV4-signed Route 53 call (path with its query)
// and reads the answer.
func (s *Server) route53Call(ctx context.Context, method, path string, body []byte, header http.Header) (*backendResponse, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.route53URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "ASIALABSTANDIN000000", SecretAccessKey: "lab-stand-in-secret", SessionToken: "lab-stand-in-session"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "route53", "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling Route 53 at %s: %w", s.route53URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return nil, err
	}
	return &backendResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

// zoneRecords reads a hosted zone (GetHostedZone) and its record sets
// (ListResourceRecordSets, page by page). A zone that does not exist is
// NoSuchHostedZone; any other answer than 200 is returned as the answer.
func (s *Server) zoneRecords(ctx context.Context, id string) (route53.Zone, []route53.Record, *backendResponse, error) {
	zone := route53.Zone{ID: id}
	resp, err := s.route53Call(ctx, http.MethodGet, "/2013-04-01/hostedzone/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return zone, nil, nil, err
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusNotFound:
		return zone, nil, errorResponse(route53.NoSuchHostedZone(id)), nil
	default:
		return zone, nil, resp, nil
	}
	var hz struct {
		Name string `xml:"HostedZone>Name"`
	}
	if err := xml.Unmarshal([]byte(resp.body), &hz); err != nil || hz.Name == "" {
		return zone, nil, nil, fmt.Errorf("GetHostedZone %s: no zone name in Route 53's answer", id)
	}
	zone.Name = hz.Name
	var records []route53.Record
	query := url.Values{}
	for page := 0; page < 1000; page++ {
		path := "/2013-04-01/hostedzone/" + url.PathEscape(id) + "/rrset"
		if len(query) > 0 {
			path += "?" + query.Encode()
		}
		resp, err := s.route53Call(ctx, http.MethodGet, path, nil, nil)
		if err != nil {
			return zone, nil, nil, err
		}
		if resp.status != http.StatusOK {
			return zone, nil, resp, nil
		}
		var list struct {
			Sets []struct {
				Name, Type string
				TTL        int64
				Values     []string `xml:"ResourceRecords>ResourceRecord>Value"`
			} `xml:"ResourceRecordSets>ResourceRecordSet"`
			IsTruncated    bool
			NextRecordName string
			NextRecordType string
		}
		if err := xml.Unmarshal([]byte(resp.body), &list); err != nil {
			return zone, nil, nil, fmt.Errorf("ListResourceRecordSets %s: %w", id, err)
		}
		for _, r := range list.Sets {
			records = append(records, route53.Record{Name: r.Name, Type: r.Type, TTL: r.TTL, Values: r.Values})
		}
		if !list.IsTruncated {
			return zone, records, nil, nil
		}
		query = url.Values{"name": {list.NextRecordName}, "type": {list.NextRecordType}}
	}
	return zone, nil, nil, fmt.Errorf("ListResourceRecordSets %s: more than 1,000 pages", id)
}

// checkRecordRules applies Route 53's record rules (route53.ApplyChanges)
// to a batch against the zone's records as the backend lists them: moto
// does not check them, and the in-process Route 53 answers the same. It
// returns the refusal Route 53 would send, or nil and the zone.
func (s *Server) checkRecordRules(ctx context.Context, zoneID string, batch *route53.ChangeBatch) (*backendResponse, route53.Zone, error) {
	zone, records, resp, err := s.zoneRecords(ctx, zoneID)
	if err != nil || resp != nil {
		return resp, zone, err
	}
	if _, err := route53.ApplyChanges(zone, records, batch); err != nil {
		re, ok := err.(*route53.Error)
		if !ok {
			return nil, zone, err
		}
		return errorResponse(re), zone, nil
	}
	return nil, zone, nil
}

// logChanges writes one line per change Route 53 applied.
func (s *Server) logChanges(zone route53.Zone, batch *route53.ChangeBatch) {
	for _, c := range batch.Changes {
		s.logf("route53: %s %s %s %s %d %s (hosted zone %s %s)\n", time.Now().UTC().Format(time.RFC3339), c.Action, c.NormalizedName+".", c.Type, c.TTL, strings.Join(c.Values, " "), zone.ID, zone.Name)
	}
}

// RecordsPath is where the local server lists every record of the hosted
// zones the template's roles may change.
const RecordsPath = "/_local/records"

// serveRecords answers GET /_local/records: every record set of every
// zone, in zone-file form (name, TTL, class, type, value; one line per
// value), each zone under a comment naming it and its id.
func (s *Server) serveRecords(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET lists the records", http.StatusMethodNotAllowed)
		return
	}
	zones, err := s.st.zoneIDs()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	for i, id := range slices.Sorted(maps.Keys(zones)) {
		zone, records, resp, err := s.zoneRecords(r.Context(), id)
		if i > 0 {
			b.WriteString("\n")
		}
		switch {
		case err != nil:
			fmt.Fprintf(&b, "; hosted zone %s: %v\n", id, err)
			continue
		case resp != nil:
			code := strings.TrimSpace(firstMatch(resp.body, "<Code>", "</Code>"))
			fmt.Fprintf(&b, "; hosted zone %s: Route 53 answered %d %s\n", id, resp.status, code)
			continue
		}
		route53.SortRecords(records)
		fmt.Fprintf(&b, "; hosted zone %s (%s)\n", listed(zone.Name), id)
		tw := tabwriter.NewWriter(&b, 0, 8, 1, ' ', 0)
		for _, rec := range records {
			for _, v := range rec.Values {
				fmt.Fprintf(tw, "%s\t%d\tIN\t%s\t%s\n", listed(rec.Name), rec.TTL, listed(rec.Type), listed(v))
			}
		}
		tw.Flush()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, b.String())
}

// listed writes a name or value as the listing shows it: an endpoint such
// as moto_server holds whatever was written to it, so a control character
// (which could forge a line, or reach the terminal) is written as a zone
// file's \ooo escape.
func listed(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			fmt.Fprintf(&b, "\\%03o", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func firstMatch(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}

// Route53 is the in-process Route 53, or nil when the server calls an
// endpoint (Options.Route53URL).
func (s *Server) Route53() *route53.Memory { return s.memory }
