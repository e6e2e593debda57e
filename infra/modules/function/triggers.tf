# The function's triggers. Each map is keyed by a name known at plan time
# (a stream, queue, bucket or topic name) so that for_each never depends
# on ARNs that only exist after apply.

resource "aws_cloudwatch_event_rule" "schedule" {
  count = var.schedule_expression == null ? 0 : 1

  name                = "${var.name}_schedule"
  description         = "Runs ${var.name} on ${var.schedule_expression}."
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  count = var.schedule_expression == null ? 0 : 1

  rule = aws_cloudwatch_event_rule.schedule[0].name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  count = var.schedule_expression == null ? 0 : 1

  statement_id  = "AllowSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[0].arn
}

resource "aws_lambda_event_source_mapping" "kinesis" {
  for_each = var.kinesis_sources

  event_source_arn               = each.value
  function_name                  = aws_lambda_function.this.arn
  starting_position              = "LATEST"
  batch_size                     = var.batch_size
  maximum_retry_attempts         = var.maximum_retry_attempts
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = var.sqs_sources

  event_source_arn        = each.value
  function_name           = aws_lambda_function.this.arn
  batch_size              = var.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_lambda_permission" "s3" {
  for_each = var.s3_sources

  statement_id   = "AllowS3-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = each.value
  source_account = var.account_id
}

# A bucket has one notification configuration: this replaces any other
# notification set on a source bucket, as StreamAlert's s3_events did.
resource "aws_s3_bucket_notification" "s3" {
  for_each = var.s3_sources

  bucket = each.key

  lambda_function {
    lambda_function_arn = aws_lambda_function.this.arn
    events              = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_lambda_permission.s3]
}

resource "aws_lambda_permission" "sns" {
  for_each = var.sns_sources

  statement_id  = "AllowSNS-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = each.value
}

resource "aws_sns_topic_subscription" "sns" {
  for_each = var.sns_sources

  topic_arn = each.value
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this.arn

  depends_on = [aws_lambda_permission.sns]
}
