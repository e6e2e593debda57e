// Command sa-lambda is sa's AWS runtime: one binary, deployed as the
// bootstrap of every function on provided.al2023, that takes its role
// from SA_FUNCTION and serves Lambda invocations with the handlers of
// host/runtime/aws. After each invocation it writes the invocation's
// metrics to stdout in CloudWatch's embedded metric format.
//
// Environment:
//
//	SA_FUNCTION              classifier | rules | merger | processor | app | scheduled_queries
//	SA_HOME                  the deployment package's sa home ($LAMBDA_TASK_ROOT)
//	SA_CLUSTER               the cluster, a dimension of the metrics (classifier, app)
//	SA_METRICS_NAMESPACE     the metrics' CloudWatch namespace (sa)
//	SA_CLASSIFIED_QUEUE_URL  classifier: the rules function's queue
//	SA_DEAD_LETTER_QUEUE_URL classifier, app: where records that cannot go on are kept
//	SA_ALERTS_TABLE          rules, merger, processor: the alerts table
//	SA_STATE_TABLE           rules, merger, processor: the state table (checkpoints, staging)
//	SA_IOC_TABLE             rules: the threat intel table; app: where feed apps write
//	SA_SECRETS_PREFIX        processor, app: SSM path of credentials
//	SA_SECRETS_KMS_KEY       processor, app: their KMS key (optional)
//	SA_APP                   app: the sa.yaml apps entry this function polls
//	SA_APP_STATE_PREFIX      app: SSM path of app checkpoints (the secrets prefix's sibling "state")
//	SA_CLASSIFIER_FUNCTION   app: the cluster's classifier, invoked with the app's logs
//	SA_ATHENA_DATABASE       scheduled_queries: the Glue database queried
//	SA_ATHENA_WORKGROUP      scheduled_queries: the Athena workgroup
//	SA_ATHENA_RESULTS        scheduled_queries: s3:// location of query results
//	SA_QUERY_STREAM          scheduled_queries: the Kinesis stream results are put on
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
