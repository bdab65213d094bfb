package cfn_test

import (
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/wafv2"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// TestDynDNS2TransientAnswers (issue 22): in a stack with dyndns2, a
// throttled request and a WAF-blocked /nic/update get 503 911, which every
// dyndns2 client retries (a 429 makes inadyn exit); the JSON endpoint's WAF
// block keeps its 429, and a stack without dyndns2 keeps API Gateway's 429.
func TestDynDNS2TransientAnswers(t *testing.T) {
	tmpl := build(t, cfn.Config{DynDNS2: true, WAFRate: 100})
	g, ok := tmpl.Resources[cfn.IDNicThrottled].(*apigateway.GatewayResponse)
	if !ok || g.ResponseType != "THROTTLED" || g.StatusCode == nil || *g.StatusCode != "503" ||
		g.ResponseTemplates["application/json"] != "911\n" || g.ResponseTemplates["text/plain"] != "911\n" {
		t.Errorf("THROTTLED gateway response %+v: want 503 911", g)
	}
	acl := tmpl.Resources[cfn.IDWebACL].(*wafv2.WebACL)
	if len(acl.Rules) != 2 {
		t.Fatalf("%d rules, want 2 (dyndns2's and the rest's)", len(acl.Rules))
	}
	nic, rest := acl.Rules[0], acl.Rules[1]
	cr := nic.Action.Block.CustomResponse
	body := acl.CustomResponseBodies[*cr.CustomResponseBodyKey]
	scope := nic.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement
	if cr.ResponseCode != 503 || body.Content != "911\n" || body.ContentType != "TEXT_PLAIN" ||
		scope == nil || *scope.SearchString != "/nic/update" || scope.PositionalConstraint != "CONTAINS" || scope.FieldToMatch.UriPath == nil {
		t.Errorf("dyndns2 rule %+v, body %+v: want /nic/update blocked with 503 911", nic, body)
	}
	not := rest.Statement.RateBasedStatement.ScopeDownStatement.NotStatement
	if rest.Action.Block.CustomResponse.ResponseCode != 429 || not == nil || not.Statement.ByteMatchStatement != scope {
		t.Errorf("the other rule %+v: want every other path blocked with 429", rest)
	}
	if _, ok := build(t, cfn.Config{WAFRate: 100}).Resources[cfn.IDNicThrottled]; ok {
		t.Error("a stack without dyndns2 changes API Gateway's THROTTLED answer")
	}
}
