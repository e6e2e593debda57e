# Historical search (reference §1.7, §7.3): a Firehose delivery stream per
# table (each enabled log type, and alerts) into an encrypted data bucket,
# Glue tables over it with partition projection, and an Athena workgroup
# with its own results bucket. sa deploy derives the tables, their streams
# and columns from the conf's schemas (host/historical.Tables).
#
# Here: the data bucket and the bucket of Athena's query results, both
# private, encrypted with the data key and reachable over TLS only.

data "aws_partition" "current" {}

locals {
  partition   = data.aws_partition.current.partition
  results     = "${var.prefix}-streamalert-athena-results"
  data_arn    = "arn:${local.partition}:s3:::${var.bucket}"
  results_arn = "arn:${local.partition}:s3:::${local.results}"
  buckets = {
    data    = var.bucket
    results = local.results
  }
  bucket_arns = {
    data    = local.data_arn
    results = local.results_arn
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket = each.value
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

# Refuses every request made without TLS. The policy is a Deny of all of
# S3's actions, which is why it is written here rather than as an
# aws_iam_policy_document: those grant, and must name their actions.
resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [local.bucket_arns[each.key], "${local.bucket_arns[each.key]}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Versions keep the data safe from an overwrite or a delete by mistake;
# the streams only ever add objects.
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.this["data"].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.this["data"].id

  rule {
    id     = "clean-up"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.this["results"].id

  rule {
    id     = "expire-results"
    status = "Enabled"

    filter {}

    expiration {
      days = var.results_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
