// Package aws is sa's AWS runtime as a library: the Lambda handlers that
// run sa's core serverless, as StreamAlert's functions did (reference §0).
//
//	sources ──► classifier ──SQS──► rules ──DynamoDB──► merger (scheduled)
//	   ▲            │                  │                 processor (scheduled) ──► output plugins
//	  apps          │                  └──► Firehose (alerts, for historical search)
//	 (scheduled)    ├──► Firehose (classified records, for historical search)
//	                └──► dead letter queue (records no schema took, with the reasons)
//
// Each handler is built once per Lambda sandbox from the deployment
// package, a directory laid out like an embedded runtime's home (sa.yaml,
// conf/, rules/, matchers/, plugins/), and the AWS clients the caller
// makes; cmd/sa-lambda picks one by its SA_FUNCTION environment variable.
//
// Delivery is at least once everywhere, and made harmless by ids: each
// classified record carries a key naming where it came from (the Kinesis
// record's event id, or the invocation's request id, and its position),
// and the rules handler derives each alert's id from that key and the
// rule, as the embedded pipeline derives it from the journal entry. A
// Kinesis batch retried after a partial failure, or an SQS message
// delivered twice, inserts the same alerts again, which the store skips.
// Only the records whose sends failed are reported to Lambda
// (BatchItemFailures), so only they are retried.
package aws
