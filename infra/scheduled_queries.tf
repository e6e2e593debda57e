# Scheduled queries (reference §7.1): packs of Athena queries, each pack
# run by its own EventBridge schedule, whose results go onto a Kinesis
# stream a cluster reads, so they are classified as streamquery:version1
# and reach the rules like any log. One function starts a run's queries,
# waits for them and, when its time runs short, invokes itself with the
# run's state (host/streamquery); no Step Function is needed. sa deploy
# writes the variable from conf/scheduled_queries.json and checks that the
# stream is one a cluster reads with the streamquery log.

variable "scheduled_queries" {
  description = "Scheduled queries: whether they are on, the destination stream (a cluster's Kinesis source), the Glue database, Athena workgroup and results bucket, the ARN of the bucket the tables read, the function's size, and the packs with their schedules."
  type = object({
    enabled         = bool
    stream          = optional(string, "")
    database        = optional(string, "")
    workgroup       = optional(string, "primary")
    results_bucket  = optional(string, "")
    data_bucket_arn = optional(string, "")
    memory_size     = optional(number, 256)
    timeout         = optional(number, 300)
    packs = optional(map(object({
      description         = optional(string, "")
      schedule_expression = string
    })), {})
  })
  default = { enabled = false }

  validation {
    condition = !var.scheduled_queries.enabled || (
      var.scheduled_queries.stream != "" && var.scheduled_queries.database != "" &&
      var.scheduled_queries.results_bucket != "" && startswith(var.scheduled_queries.data_bucket_arn, "arn:")
    )
    error_message = "Enabled scheduled queries need a stream, a database, a results bucket and the data bucket's ARN."
  }
}

locals {
  scheduled_queries = {
    name      = "${var.prefix}_streamalert_scheduled_queries"
    workgroup = "arn:${local.partition}:athena:${var.region}:${var.account_id}:workgroup/${var.scheduled_queries.workgroup}"
    glue      = "arn:${local.partition}:glue:${var.region}:${var.account_id}"
    results   = "arn:${local.partition}:s3:::${var.scheduled_queries.results_bucket}"
    data      = var.scheduled_queries.data_bucket_arn
    database  = var.scheduled_queries.database
  }

  # The packs to schedule: none when scheduled queries are off.
  query_packs = var.scheduled_queries.enabled ? var.scheduled_queries.packs : {}
}

module "scheduled_queries" {
  source = "./modules/function"
  count  = var.scheduled_queries.enabled ? 1 : 0

  name               = local.scheduled_queries.name
  function           = "scheduled_queries"
  account_id         = local.function_defaults.account_id
  package_path       = local.function_defaults.package_path
  architecture       = local.function_defaults.architecture
  log_retention_days = local.function_defaults.log_retention_days
  memory_size        = var.scheduled_queries.memory_size
  timeout            = var.scheduled_queries.timeout
  alarm_actions      = [module.alarms.topic_arn]
  tags               = var.tags

  environment = merge(local.common_env, {
    SA_ATHENA_DATABASE  = var.scheduled_queries.database
    SA_ATHENA_WORKGROUP = var.scheduled_queries.workgroup
    SA_ATHENA_RESULTS   = "s3://${var.scheduled_queries.results_bucket}/scheduled_queries/"
    SA_QUERY_STREAM     = var.scheduled_queries.stream
  })

  statements = [
    # The data key encrypts the destination stream, and the historical
    # data and query results when historical search keeps them.
    local.data_key_statement,
    {
      sid       = "RunQueries"
      actions   = ["athena:GetQueryExecution", "athena:GetQueryResults", "athena:StartQueryExecution", "athena:StopQueryExecution"]
      resources = [local.scheduled_queries.workgroup]
    },
    {
      sid     = "ReadCatalog"
      actions = ["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"]
      resources = [
        "${local.scheduled_queries.glue}:catalog",
        "${local.scheduled_queries.glue}:database/${local.scheduled_queries.database}",
        "${local.scheduled_queries.glue}:table/${local.scheduled_queries.database}/*",
      ]
    },
    {
      sid       = "ListData"
      actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
      resources = [local.scheduled_queries.data]
    },
    {
      sid       = "ReadData"
      actions   = ["s3:GetObject"]
      resources = ["${local.scheduled_queries.data}/*"]
    },
    # Athena writes a query's results, and reads them back, with the
    # caller's permissions; an enforcing workgroup picks the prefix.
    {
      sid       = "ListResults"
      actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
      resources = [local.scheduled_queries.results]
    },
    {
      sid       = "WriteResults"
      actions   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
      resources = ["${local.scheduled_queries.results}/*"]
    },
    {
      sid       = "SendResults"
      actions   = ["kinesis:PutRecords"]
      resources = [module.kinesis[var.scheduled_queries.stream].arn]
    },
    # Built from its name: the function's own ARN output would make the
    # role's policy depend on the function it must exist before.
    {
      sid       = "HandOver"
      actions   = ["lambda:InvokeFunction"]
      resources = ["arn:${local.partition}:lambda:${var.region}:${var.account_id}:function:${local.scheduled_queries.name}"]
    },
  ]
}

resource "aws_cloudwatch_event_rule" "query_pack" {
  for_each = local.query_packs

  name                = "${var.prefix}_streamquery_${each.key}"
  description         = coalesce(each.value.description, "Runs the ${each.key} scheduled queries.")
  schedule_expression = each.value.schedule_expression
  tags                = var.tags
}

# The run's clock is the event's time; its tag is the pack's name, which
# the pack's queries carry.
resource "aws_cloudwatch_event_target" "query_pack" {
  for_each = local.query_packs

  rule = aws_cloudwatch_event_rule.query_pack[each.key].name
  arn  = module.scheduled_queries[0].arn

  input_transformer {
    input_paths    = { time = "$.time" }
    input_template = "{\"streamquery_configuration\":{\"clock\":\"<time>\",\"tags\":[${jsonencode(each.key)}]}}"
  }
}

resource "aws_lambda_permission" "query_pack" {
  for_each = local.query_packs

  statement_id  = "AllowSchedule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = module.scheduled_queries[0].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.query_pack[each.key].arn
}

output "scheduled_queries_function" {
  description = "Name of the scheduled queries function; null when scheduled queries are off."
  value       = one(module.scheduled_queries[*].name)
}
