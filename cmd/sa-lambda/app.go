package main

import (
	"context"
	"encoding/json"
	"fmt"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"

	rt "github.com/streamalert-go/sa/host/runtime/aws"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/threatintel"
)

// appFunction builds the app role: one app instance, polled on its
// schedule. Environment:
//
//	SA_APP                   the sa.yaml apps entry (required)
//	SA_SECRETS_PREFIX        SSM path of credentials, app/<plugin>/<name> (required)
//	SA_SECRETS_KMS_KEY       the KMS key of credentials and state (optional)
//	SA_APP_STATE_PREFIX      SSM path of app state, app/<name>; default: the
//	                         secrets prefix with its last element replaced
//	                         by "state" (/p/sa/secrets → /p/sa/state)
//	SA_CLASSIFIER_FUNCTION   the cluster's classifier (apps whose logs are classified)
//	SA_DEAD_LETTER_QUEUE_URL where logs too big for the classifier go (optional)
//	SA_IOC_TABLE             the IOC table (threat intel feed apps)
//	AWS_LAMBDA_FUNCTION_NAME the function itself, set by Lambda
func appFunction(_ context.Context, e env) (any, error) {
	v, err := e.require("SA_APP", "SA_SECRETS_PREFIX", "AWS_LAMBDA_FUNCTION_NAME")
	if err != nil {
		return nil, err
	}
	a, err := e.dep.App(v[0])
	if err != nil {
		return nil, fmt.Errorf("SA_APP: %w", err)
	}
	o := rt.AppOptions{
		Deployment: e.dep, Plugins: e.dep.Plugins(e.log), App: a.Name,
		SSM: awsssm.NewFromConfig(e.aws), SecretsPrefix: v[1], KMSKey: e.get("SA_SECRETS_KMS_KEY"),
		StatePrefix: e.get("SA_APP_STATE_PREFIX"), Lambda: lambda.NewFromConfig(e.aws), Self: v[2],
		Metrics: e.metrics, Log: e.log,
	}
	if a.Sink == embedded.SinkThreatIntel {
		t, err := e.require("SA_IOC_TABLE")
		if err != nil {
			return nil, fmt.Errorf("app %s (sink threat_intel): %w", a.Name, err)
		}
		o.IOC, err = threatintel.NewDynamoWriter(ddb.NewFromConfig(e.aws), threatintel.DynamoWriterOptions{Table: t[0], Logger: e.log})
		if err != nil {
			return nil, err
		}
	} else {
		c, err := e.require("SA_CLASSIFIER_FUNCTION")
		if err != nil {
			return nil, fmt.Errorf("app %s: %w", a.Name, err)
		}
		o.Classifier = c[0]
		if url := e.get("SA_DEAD_LETTER_QUEUE_URL"); url != "" {
			o.DeadLetter = rt.QueueDeadLetter{SQS: sqs.NewFromConfig(e.aws), Queue: url}
		}
	}
	h, err := rt.NewApp(o)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, event json.RawMessage) (any, error) { return h.Invoke(ctx, event) }, nil
}
