package route53

import (
	"reflect"
	"testing"
)

func TestHostedZones(t *testing.T) {
	p := mustPolicy(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/ZA",
		 "Condition":{"ForAllValues:StringEquals":{"route53:ChangeResourceRecordSetsNormalizedRecordNames":["home.acme.local","vpn.acme.local"]}}},
		{"Effect":"Allow","Action":["route53:changeresourcerecordsets"],"Resource":["arn:aws:route53:::hostedzone/ZA","arn:aws:route53:::hostedzone/ZB"],
		 "Condition":{"ForAllValues:StringEquals":{"route53:ChangeResourceRecordSetsNormalizedRecordNames":["_acme-challenge.home.acme.local","home.acme.local"]}}},
		{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/*"},
		{"Effect":"Deny","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/ZDENIED"},
		{"Effect":"Allow","Action":"route53:GetChange","Resource":"arn:aws:route53:::hostedzone/ZOTHERACTION"},
		{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/ZNONAMES"}
	]}`)
	want := map[string][]string{
		"ZA":       {"home.acme.local", "vpn.acme.local", "_acme-challenge.home.acme.local"},
		"ZB":       {"_acme-challenge.home.acme.local", "home.acme.local"},
		"ZNONAMES": {},
	}
	if got := p.HostedZones(); !reflect.DeepEqual(got, want) {
		t.Errorf("HostedZones() = %q, want %q", got, want)
	}
}

func TestGuessZoneName(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"myddns.acme.local"}, "acme.local"},
		{[]string{"home.acme.local", "_acme-challenge.home.acme.local"}, "acme.local"},
		{[]string{"acme.local", "home.acme.local"}, "acme.local"},
		{[]string{"a.b.lab.example.com", "c.lab.example.com"}, "lab.example.com"},
		{[]string{"example.com"}, "example.com"},
		{[]string{"home.acme.local", "vpn.example.com"}, ""},
		{nil, ""},
	} {
		if got := GuessZoneName(c.names); got != c.want {
			t.Errorf("GuessZoneName(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}
