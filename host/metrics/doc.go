// Package metrics defines the metrics of sa's pipeline once, for both
// runtimes: `sa serve` exposes them on /metrics, and the AWS runtime's
// Lambda functions write the same names to CloudWatch in the embedded
// metric format (package emf), so a dashboard or alarm reads alike in
// both. [NewPipeline] registers them on a Prometheus registry; each
// runtime counts what its stages do through the [Pipeline]'s collectors.
//
// Every name starts with sa_ and follows Prometheus's conventions: a
// counter ends in _total, durations are in seconds and sizes in bytes.
// Label names become CloudWatch dimension names unchanged, so
// sa_alerts_total{rule="x"} is the CloudWatch metric sa_alerts_total with
// the dimension rule=x (plus the function's fixed dimensions). Labels
// carry names of sources, log types, rules, outputs and apps, never
// record contents or secrets.
//
// StreamAlert's custom metrics (reference §7.4) and their sa equivalents:
//
//	StreamAlert                 sa
//	TotalRecords                sa_records_in_total{source}
//	TotalS3Records              sa_records_in_total{source="s3/<bucket>"}
//	TotalStreamAlertAppRecords  sa_records_in_total{source="streamalert_app/<app>"},
//	                            and sa_app_records_total{app} where the app runs
//	TotalProcessedSize          sa_records_in_bytes_total{source}
//	S3DownloadTime              sa_s3_download_seconds{bucket} (histogram)
//	FailedParses                sa_records_failed_total{source,log_type}
//	NormalizedRecords           sa_records_normalized_total{log_type}
//	SQSRecordsSent              sa_classified_sent_total{result="sent"}
//	SQSFailedRecords            sa_classified_sent_total{result="failed"|"oversize"}
//	FirehoseRecordsSent         sa_firehose_records_total{stream,result="sent"}
//	FirehoseFailedRecords       sa_firehose_records_total{stream,result="failed"}
//	ExtractedArtifacts          sa_artifacts_extracted_total{log_type}
//	FirehoseArtifactsSent       sa_firehose_records_total{stream=<artifacts stream>,result="sent"}
//	FirehoseFailedArtifacts     sa_firehose_records_total{stream=<artifacts stream>,result="failed"}
//	TriggeredAlerts             sa_alerts_total{rule}
//	FailedDynamoWrites          sa_alerts_store_failed_total
//	AlertAttempts               sa_dispatch_results_total{output,result}
//	(none)                      sa_records_classified_total{log_type}
//	(none)                      sa_dispatch_seconds{output} (histogram)
//	(none)                      sa_alerts_merged_total, sa_merge_groups_total
//	(none)                      sa_app_polls_total{app,result}
//
// StreamAlert counted each of these once per function and cluster; in sa
// the function and cluster are fixed dimensions the EMF writer adds to
// every line (emf.Options.Dimensions), and a per-cluster or aggregate
// view is a CloudWatch query over them.
//
// Metrics that only mean something in a long-running `sa serve` process
// (journal depth, pending deliveries, plugin processes, ingest requests
// refused) are registered by the embedded runtime itself.
package metrics
