// Command sa-lambda is sa's AWS runtime: one binary, deployed as the
// bootstrap of every function on provided.al2023, that takes its role
// from SA_FUNCTION (classifier, rules, merger or processor) and serves
// Lambda invocations with the handlers of host/runtime/aws.
//
// Environment:
//
//	SA_FUNCTION              classifier | rules | merger | processor
//	SA_HOME                  the deployment package's sa home ($LAMBDA_TASK_ROOT)
//	SA_CLASSIFIED_QUEUE_URL  classifier: the rules function's queue
//	SA_DEAD_LETTER_QUEUE_URL classifier: where unclassified records go
//	SA_ALERTS_TABLE          rules, merger, processor: the alerts table
//	SA_STATE_TABLE           rules, merger, processor: the state table
//	SA_SECRETS_PREFIX        processor: SSM path of output credentials (optional)
//	SA_SECRETS_KMS_KEY       processor: their KMS key (optional)
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	handler, err := build(context.Background(), os.Getenv, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sa-lambda:", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
