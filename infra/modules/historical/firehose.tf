# One delivery stream per table, writing gzipped JSON lines under
# <table>/dt=<hour>/ in the data bucket, the layout partition projection
# reads. The streams' role may write only those prefixes and errors/, and
# use the key only through S3 for this bucket.

resource "aws_cloudwatch_log_group" "firehose" {
  name              = "/aws/kinesisfirehose/${var.prefix}_streamalert_historical"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "table" {
  for_each = var.tables

  name           = "S3Delivery-${each.key}"
  log_group_name = aws_cloudwatch_log_group.firehose.name
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "FirehoseAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

data "aws_iam_policy_document" "firehose" {
  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [local.data_arn]
  }

  statement {
    sid       = "WriteTables"
    actions   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
    resources = concat([for t in keys(var.tables) : "${local.data_arn}/${t}/*"], ["${local.data_arn}/errors/*"])
  }

  statement {
    sid       = "EncryptObjects"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }

    # With S3 Bucket Keys the context is the bucket; without, the object.
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [local.data_arn, "${local.data_arn}/*"]
    }
  }

  statement {
    sid       = "LogDeliveryErrors"
    actions   = ["logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.firehose.arn}:log-stream:*"]
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.prefix}_streamalert_historical_firehose"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "firehose" {
  name   = "write-historical-data"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_kinesis_firehose_delivery_stream" "table" {
  for_each = var.tables

  name        = each.value.stream
  destination = "extended_s3"
  tags        = var.tags

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = aws_s3_bucket.this["data"].arn
    prefix              = "${each.key}/dt=!{timestamp:yyyy-MM-dd-HH}/"
    error_output_prefix = "errors/${each.key}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd-HH}/"
    buffering_size      = var.buffer_size
    buffering_interval  = var.buffer_interval
    compression_format  = "GZIP"
    kms_key_arn         = var.kms_key_arn

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose.name
      log_stream_name = aws_cloudwatch_log_stream.table[each.key].name
    }
  }

  # The role must be able to write before the stream first delivers.
  depends_on = [aws_iam_role_policy.firehose]
}
