# A Kinesis data stream of a cluster's data_sources, encrypted with the
# data key, with alarms on consumers falling behind and on writes beyond
# the stream's capacity.

resource "aws_kinesis_stream" "this" {
  name             = var.name
  retention_period = var.retention_hours
  shard_count      = var.shard_count > 0 ? var.shard_count : null
  encryption_type  = "KMS"
  kms_key_id       = var.kms_key_arn
  tags             = var.tags

  stream_mode_details {
    stream_mode = var.shard_count > 0 ? "PROVISIONED" : "ON_DEMAND"
  }
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  alarm_name          = "${var.name}_high_iterator_age"
  alarm_description   = "Records of ${var.name} wait over ${var.iterator_age_threshold_ms}ms before the classifier reads them."
  namespace           = "AWS/Kinesis"
  metric_name         = "GetRecords.IteratorAgeMilliseconds"
  dimensions          = { StreamName = aws_kinesis_stream.this.name }
  statistic           = "Maximum"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_threshold_ms
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "write_exceeded" {
  alarm_name          = "${var.name}_write_exceeded"
  alarm_description   = "Writes to ${var.name} are throttled: the stream needs more capacity."
  namespace           = "AWS/Kinesis"
  metric_name         = "WriteProvisionedThroughputExceeded"
  dimensions          = { StreamName = aws_kinesis_stream.this.name }
  statistic           = "Sum"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.write_exceeded_threshold
  period              = var.alarm_period_seconds
  evaluation_periods  = 6
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
