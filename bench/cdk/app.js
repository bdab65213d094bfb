// The stack ddnsgen writes, written with AWS CDK (L2 constructs, as a CDK
// user would): the REST API, the {zone_id} resource and its GET method
// calling Route 53 with the same mapping templates, the role, the stage,
// the usage plan and an API key per device. The mapping templates, the
// role's policy and the device names are read from the template ddnsgen
// generated (argument 1), so both sides carry the same content.
//
//   node app.js ddns.json OUTDIR
//
// It synthesizes into OUTDIR with CDK's validator off (the CloudFormation
// validator aws-cdk-lib runs at synth, builtinCloudFormationValidation,
// which takes seconds for this stack; and skipValidation for construct
// validation): the cheapest synth CDK offers. cli-vs-cdk.sh times it.
'use strict';
const fs = require('fs');
const cdk = require('aws-cdk-lib');
const apigw = require('aws-cdk-lib/aws-apigateway');
const iam = require('aws-cdk-lib/aws-iam');

const [, , templateFile, outdir] = process.argv;
const t = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const res = t.Resources;
const of = (type) => Object.entries(res).filter(([, r]) => r.Type === type);
const [, method] = of('AWS::ApiGateway::Method')[0];
const [, stage] = of('AWS::ApiGateway::Stage')[0];
const [, role] = of('AWS::IAM::Role')[0];
const [, plan] = of('AWS::ApiGateway::UsagePlan')[0];
const [, restApi] = of('AWS::ApiGateway::RestApi')[0];
const keys = of('AWS::ApiGateway::ApiKey');

const app = new cdk.App({ outdir, builtinCloudFormationValidation: false });
const stack = new cdk.Stack(app, 'DynamicDNS');

const api = new apigw.RestApi(stack, 'RestApi', {
  restApiName: restApi.Properties.Name,
  description: restApi.Properties.Description,
  endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
  cloudWatchRole: false, // ddnsgen adds no account-wide CloudWatch role
  deployOptions: {
    stageName: stage.Properties.StageName,
    description: stage.Properties.Description,
    throttlingRateLimit: stage.Properties.MethodSettings[0].ThrottlingRateLimit,
    throttlingBurstLimit: stage.Properties.MethodSettings[0].ThrottlingBurstLimit,
    variables: stage.Properties.Variables,
  },
});
const policy = role.Properties.Policies[0];
const statements = JSON.parse(JSON.stringify(policy.PolicyDocument).replace(/\{"Fn::Sub":("[^"]*")\}/g, (_, s) => JSON.stringify(cdk.Fn.sub(JSON.parse(s)))));
const apiRole = new iam.Role(stack, 'Role', {
  assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  description: role.Properties.Description,
  inlinePolicies: { [policy.PolicyName]: iam.PolicyDocument.fromJson(statements) },
});

// API keys first: the request template names each key's id.
const usagePlan = api.addUsagePlan('UsagePlan', {
  name: cdk.Fn.sub(plan.Properties.UsagePlanName['Fn::Sub']),
  description: plan.Properties.Description,
  throttle: { rateLimit: plan.Properties.Throttle.RateLimit, burstLimit: plan.Properties.Throttle.BurstLimit },
  quota: { limit: plan.Properties.Quota.Limit, period: apigw.Period.DAY },
});
usagePlan.addApiStage({ stage: api.deploymentStage });
const keyIds = {};
for (const [id, k] of keys) {
  const key = new apigw.ApiKey(stack, id, {
    apiKeyName: cdk.Fn.sub(k.Properties.Name['Fn::Sub']),
    enabled: true,
  });
  usagePlan.addApiKey(key);
  keyIds[id] = key.keyId;
}

const integration = method.Properties.Integration;
const request = integration.RequestTemplates['application/json'];
const zone = api.root.addResource('{zone_id}');
zone.addMethod('GET', new apigw.AwsIntegration({
  service: 'route53',
  path: '2013-04-01/hostedzone/{hosted_zone_id}/rrset/',
  integrationHttpMethod: 'POST',
  options: {
    credentialsRole: apiRole,
    passthroughBehavior: apigw.PassthroughBehavior.NEVER,
    requestParameters: integration.RequestParameters,
    requestTemplates: { 'application/json': request['Fn::Sub'] ? cdk.Fn.sub(request['Fn::Sub'], keyIds) : request },
    integrationResponses: integration.IntegrationResponses.map((r) => ({
      statusCode: r.StatusCode,
      selectionPattern: r.SelectionPattern,
      responseTemplates: r.ResponseTemplates,
    })),
  },
}), {
  apiKeyRequired: method.Properties.ApiKeyRequired,
  requestParameters: Object.fromEntries(Object.entries(method.Properties.RequestParameters).map(([k, v]) => [k, v === 'true'])),
  methodResponses: method.Properties.MethodResponses.map((r) => ({ statusCode: r.StatusCode })),
});

app.synth({ skipValidation: true });
