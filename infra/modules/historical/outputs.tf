output "database_name" {
  description = "Glue database of the tables."
  value       = aws_glue_catalog_database.this.name
}

output "workgroup_name" {
  description = "Athena workgroup to query the tables in."
  value       = aws_athena_workgroup.this.name
}

output "results_bucket" {
  description = "Bucket of the query results."
  value       = aws_s3_bucket.this["results"].bucket
}

output "data_bucket_arn" {
  description = "ARN of the data bucket."
  value       = aws_s3_bucket.this["data"].arn
}

output "stream_arns" {
  description = "ARNs of the delivery streams by table."
  value       = { for t, s in aws_kinesis_firehose_delivery_stream.table : t => s.arn }
}
