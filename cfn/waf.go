package cfn

import (
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/wafv2"

	"github.com/ddnsgen/ddnsgen/templates"
)

// Logical IDs and outputs of what Config.WAFRate adds.
const (
	IDWebACL            = "WebAcl"
	IDWebACLAssociation = "WebAclAssociation"
)

// AWS WAF's bounds on a rate-based rule's limit (requests per evaluation
// window per source address).
const (
	MinWAFRate = 10
	MaxWAFRate = 2000000000
	// wafWindow is the evaluation window in seconds: AWS WAF takes 60, 120,
	// 300 or 600; Config.WAFRate is per 5 minutes.
	wafWindow = 300
)

// The answers of a blocked request. A dyndns2 client must read a block as
// "come back later" (see DynDNS2Busy); any other caller gets the 429 that
// HTTP gives a rate limit.
const (
	wafBlockStatus       = 429
	wafDynDNS2BodyKey    = "dyndns2-busy"
	wafDynDNS2Path       = "/nic/update" // and /nic/update-url
	ruleNameRate         = "per-ip-rate"
	ruleNameDynDNS2Rate  = "dyndns2-per-ip-rate"
	wafDynDNS2RetryAfter = "300"
)

// waf adds a regional web ACL that lets every request through except those
// of a source address above the rate, and associates it with the stage.
// Blocked requests never reach API Gateway's throttle, so one host cannot
// spend it for the devices. With dyndns2 the rate is counted twice, once
// for the dyndns2 paths and once for the rest, in two rules scoped down by
// the URI path: a rule has one block answer, and a dyndns2 client reads a
// 429 as fatal (inadyn exits) where it retries a 503 with body 911, while a
// JSON caller keeps its 429.
func (b *builder) waf() {
	p := b.p
	// Metric names: [A-Za-z0-9-_] and no spaces; a stack name fits.
	metric := "${AWS::StackName}-" + p.prefix + "ddns"
	if p.prefix == "" {
		metric = "${AWS::StackName}-ddns"
	}
	rule := func(name string, priority int, scope *wafv2.WebACL_Statement, block *wafv2.WebACL_CustomResponse) wafv2.WebACL_Rule {
		return wafv2.WebACL_Rule{
			Name:     name,
			Priority: priority,
			Action:   &wafv2.WebACL_RuleAction{Block: &wafv2.WebACL_BlockAction{CustomResponse: block}},
			Statement: &wafv2.WebACL_Statement{RateBasedStatement: &wafv2.WebACL_RateBasedStatement{
				Limit:               p.ops.wafRate,
				AggregateKeyType:    "IP",
				EvaluationWindowSec: cloudformation.Int(wafWindow),
				ScopeDownStatement:  scope,
			}},
			VisibilityConfig: &wafv2.WebACL_VisibilityConfig{
				CloudWatchMetricsEnabled: true,
				MetricName:               cloudformation.Sub(metric + "-" + name),
				SampledRequestsEnabled:   true,
			},
		}
	}
	acl := &wafv2.WebACL{
		Description:   cloudformation.String("Dynamic DNS: at most " + strconv.Itoa(p.ops.wafRate) + " requests per 5 minutes from one address"),
		Scope:         "REGIONAL",
		DefaultAction: &wafv2.WebACL_DefaultAction{Allow: &wafv2.WebACL_AllowAction{}},
		VisibilityConfig: &wafv2.WebACL_VisibilityConfig{
			CloudWatchMetricsEnabled: true,
			MetricName:               cloudformation.Sub(metric),
			SampledRequestsEnabled:   true,
		},
		Tags: p.tags,
	}
	tooMany := &wafv2.WebACL_CustomResponse{ResponseCode: wafBlockStatus}
	if !p.dyndns2 {
		acl.Rules = []wafv2.WebACL_Rule{rule(ruleNameRate, 0, nil, tooMany)}
	} else {
		// The path as the caller wrote it, URL-decoded, so that
		// /nic/%75pdate is counted as what API Gateway serves it as. It
		// ends the execute-api path (/STAGE/nic/update) and a custom
		// domain's (/nic/update); the JSON endpoint's paths are zone ids.
		nic := &wafv2.WebACL_Statement{ByteMatchStatement: &wafv2.WebACL_ByteMatchStatement{
			FieldToMatch:         &wafv2.WebACL_FieldToMatch{UriPath: map[string]any{}},
			PositionalConstraint: "CONTAINS",
			SearchString:         cloudformation.String(wafDynDNS2Path),
			TextTransformations:  []wafv2.WebACL_TextTransformation{{Priority: 0, Type: "URL_DECODE"}},
		}}
		acl.CustomResponseBodies = map[string]wafv2.WebACL_CustomResponseBody{
			wafDynDNS2BodyKey: {ContentType: "TEXT_PLAIN", Content: templates.DynDNS2Busy},
		}
		acl.Rules = []wafv2.WebACL_Rule{
			rule(ruleNameDynDNS2Rate, 0, nic, &wafv2.WebACL_CustomResponse{
				ResponseCode:          templates.DynDNS2BusyStatus,
				CustomResponseBodyKey: cloudformation.String(wafDynDNS2BodyKey),
				ResponseHeaders:       []wafv2.WebACL_CustomHTTPHeader{{Name: "Retry-After", Value: wafDynDNS2RetryAfter}},
			}),
			rule(ruleNameRate, 1, &wafv2.WebACL_Statement{NotStatement: &wafv2.WebACL_NotStatement{Statement: nic}}, tooMany),
		}
	}
	b.t.Resources[b.id(IDWebACL)] = acl
	b.t.Resources[b.id(IDWebACLAssociation)] = &wafv2.WebACLAssociation{
		ResourceArn: cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${" + b.id(IDRestAPI) +
			"}/stages/${" + b.id(IDStage) + "}"),
		WebACLArn: cloudformation.GetAtt(b.id(IDWebACL), "Arn"),
	}
}
