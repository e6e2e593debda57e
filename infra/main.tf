# sa's AWS runtime (reference §0): a classifier per cluster reading its
# Kinesis streams, S3 buckets and SNS topics and queueing classified
# records; the rules engine writing alerts to DynamoDB; the merger and the
# processor on a one-minute schedule; one function per app instance. All
# run the one bootstrap binary of the deployment package sa deploy builds;
# SA_FUNCTION picks the role. Inputs come from terraform.tfvars.json,
# which sa deploy writes from sa.yaml and the conf.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  names = {
    rules        = "${var.prefix}_streamalert_rules_engine"
    merger       = "${var.prefix}_streamalert_alert_merger"
    processor    = "${var.prefix}_streamalert_alert_processor"
    classified   = "${var.prefix}_streamalert_classified_logs"
    unclassified = "${var.prefix}_streamalert_unclassified_logs"
    alerts       = "${var.prefix}_streamalert_alerts"
    state        = "${var.prefix}_streamalert_state"
    ioc          = coalesce(var.ioc_table, "${var.prefix}_streamalert_threat_intel_downloader")
    monitoring   = "${var.prefix}_streamalert_monitoring"
  }

  # Every stream named in some cluster's data_sources; a stream belongs to
  # one cluster only.
  streams = toset(flatten([for c in var.clusters : c.kinesis]))

  ssm_arn = "arn:${local.partition}:ssm:${var.region}:${var.account_id}:parameter${var.secrets_prefix}"

  # What every function's package needs at run time.
  common_env = {
    SA_HOME         = "/var/task"
    SA_PREFIX       = var.prefix
    SA_ALERTS_TABLE = module.tables.alerts_name
    SA_STATE_TABLE  = module.tables.state_name
  }

  data_key_statement = {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.data_key.arn]
  }

  alerts_statement = {
    sid       = "AlertStore"
    actions   = ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"]
    resources = [module.tables.alerts_arn, "${module.tables.alerts_arn}/index/*"]
  }

  state_statement = {
    sid       = "StateStore"
    actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [module.tables.state_arn]
  }

  function_defaults = {
    account_id         = var.account_id
    package_path       = var.package_path
    architecture       = var.architecture
    log_retention_days = var.log_retention_days
  }
}

module "data_key" {
  source = "./modules/kms"

  alias              = "${var.prefix}_streamalert_data"
  description        = "sa ${var.prefix}: queues, streams, tables and the monitoring topic"
  service_principals = ["cloudwatch.amazonaws.com"]
  tags               = var.tags
}

module "secrets_key" {
  source = "./modules/kms"

  alias       = var.secrets_kms_alias
  description = "sa ${var.prefix}: SSM SecureString credentials of outputs and apps"
  tags        = var.tags
}

module "alarms" {
  source = "./modules/alarms"

  topic_name  = local.names.monitoring
  kms_key_arn = module.data_key.arn
  emails      = var.alarm_emails
  tags        = var.tags
}

module "tables" {
  source = "./modules/tables"

  alerts_table        = local.names.alerts
  state_table         = local.names.state
  ioc_table           = local.names.ioc
  kms_key_arn         = module.data_key.arn
  deletion_protection = var.deletion_protection
  tags                = var.tags
}

module "classified_queue" {
  source = "./modules/queue"

  name                       = local.names.classified
  kms_key_arn                = module.data_key.arn
  visibility_timeout_seconds = 6 * var.rules.timeout
  alarm_actions              = [module.alarms.topic_arn]
  tags                       = var.tags
}

# Records no schema accepted, with the reasons, kept for inspection and
# replay; nothing consumes it, so only the DLQ alarm matters.
module "unclassified_queue" {
  source = "./modules/queue"

  name                       = local.names.unclassified
  kms_key_arn                = module.data_key.arn
  visibility_timeout_seconds = 300
  message_retention_seconds  = 1209600
  age_threshold_seconds      = 1209600
  alarm_actions              = [module.alarms.topic_arn]
  tags                       = var.tags
}

module "kinesis" {
  source   = "./modules/kinesis"
  for_each = local.streams

  name          = each.key
  kms_key_arn   = module.data_key.arn
  shard_count   = lookup(var.kinesis_shards, each.key, 0)
  alarm_actions = [module.alarms.topic_arn]
  tags          = var.tags
}
