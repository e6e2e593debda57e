# The Glue database and tables Athena queries, and a workgroup whose
# settings every query must use.
#
# Partitions are found by Athena's partition projection on dt, computed
# from the hour in the query, where StreamAlert ran its athena_partitioner
# function on every new object to add each partition: sa deliberately has
# no such function, nothing to fail or fall behind, and no partition
# metadata to repair.

resource "aws_glue_catalog_database" "this" {
  name        = "${var.prefix}_streamalert"
  description = "sa ${var.prefix}: historical search of classified records and alerts"
}

resource "aws_glue_catalog_table" "table" {
  for_each = var.tables

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = "Records of stream ${each.value.stream}, by hour of arrival (dt, UTC)."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "EXTERNAL"                    = "TRUE"
    "classification"              = "json"
    "compressionType"             = "gzip"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd-HH"
    "projection.dt.range"         = var.partition_range
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "HOURS"
    "storage.location.template"   = "s3://${var.bucket}/${each.key}/dt=$${dt}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${var.bucket}/${each.key}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "json"
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"

      parameters = {
        "ignore.malformed.json" = "true"
        "case.insensitive"      = "true"
      }
    }

    dynamic "columns" {
      for_each = each.value.columns

      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}

resource "aws_athena_workgroup" "this" {
  name        = "${var.prefix}_streamalert"
  description = "sa ${var.prefix}: historical search"
  tags        = var.tags

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true

    result_configuration {
      output_location = "s3://${aws_s3_bucket.this["results"].bucket}/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}
