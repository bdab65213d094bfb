package cfn

import (
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/wafv2"
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

// waf adds a regional web ACL that lets every request through except those
// of a source address above the rate, and associates it with the stage.
// Blocked requests are answered 429 by AWS WAF: they never reach API
// Gateway's throttle, so one host cannot spend it for the devices.
func (b *builder) waf() {
	p := b.p
	// Metric names: [A-Za-z0-9-_] and no spaces; a stack name fits.
	metric := "${AWS::StackName}-" + p.prefix + "ddns"
	if p.prefix == "" {
		metric = "${AWS::StackName}-ddns"
	}
	b.t.Resources[b.id(IDWebACL)] = &wafv2.WebACL{
		Description:   cloudformation.String("Dynamic DNS: at most " + strconv.Itoa(p.ops.wafRate) + " requests per 5 minutes from one address"),
		Scope:         "REGIONAL",
		DefaultAction: &wafv2.WebACL_DefaultAction{Allow: &wafv2.WebACL_AllowAction{}},
		Rules: []wafv2.WebACL_Rule{{
			Name:     "per-ip-rate",
			Priority: 0,
			Action: &wafv2.WebACL_RuleAction{Block: &wafv2.WebACL_BlockAction{
				CustomResponse: &wafv2.WebACL_CustomResponse{ResponseCode: 429},
			}},
			Statement: &wafv2.WebACL_Statement{RateBasedStatement: &wafv2.WebACL_RateBasedStatement{
				Limit:               p.ops.wafRate,
				AggregateKeyType:    "IP",
				EvaluationWindowSec: cloudformation.Int(wafWindow),
			}},
			VisibilityConfig: &wafv2.WebACL_VisibilityConfig{
				CloudWatchMetricsEnabled: true,
				MetricName:               cloudformation.Sub(metric + "-per-ip-rate"),
				SampledRequestsEnabled:   true,
			},
		}},
		VisibilityConfig: &wafv2.WebACL_VisibilityConfig{
			CloudWatchMetricsEnabled: true,
			MetricName:               cloudformation.Sub(metric),
			SampledRequestsEnabled:   true,
		},
		Tags: p.tags,
	}
	b.t.Resources[b.id(IDWebACLAssociation)] = &wafv2.WebACLAssociation{
		ResourceArn: cloudformation.Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${" + b.id(IDRestAPI) +
			"}/stages/${" + b.id(IDStage) + "}"),
		WebACLArn: cloudformation.GetAtt(b.id(IDWebACL), "Arn"),
	}
}
