# The functions and the permissions of each: only the actions and the
# resources its role in the pipeline uses.

module "classifier" {
  source   = "./modules/function"
  for_each = var.clusters

  name                 = "${var.prefix}_${each.key}_streamalert_classifier"
  function             = "classifier"
  account_id           = local.function_defaults.account_id
  package_path         = local.function_defaults.package_path
  architecture         = local.function_defaults.architecture
  log_retention_days   = local.function_defaults.log_retention_days
  memory_size          = var.classifier.memory_size
  timeout              = var.classifier.timeout
  reserved_concurrency = var.classifier.reserved_concurrency
  alarm_actions        = [module.alarms.topic_arn]
  tags                 = var.tags

  environment = merge(local.common_env, {
    SA_CLUSTER               = each.key
    SA_CLASSIFIED_QUEUE_URL  = module.classified_queue.url
    SA_DEAD_LETTER_QUEUE_URL = module.unclassified_queue.url
  })

  kinesis_sources = { for s in each.value.kinesis : s => module.kinesis[s].arn }
  s3_sources      = { for b in each.value.s3 : b => "arn:${local.partition}:s3:::${b}" }
  sns_sources     = { for t in each.value.sns : t => "arn:${local.partition}:sns:${var.region}:${var.account_id}:${t}" }

  statements = concat(
    [
      local.data_key_statement,
      {
        sid       = "SendRecords"
        actions   = ["sqs:SendMessage"]
        resources = [module.classified_queue.arn, module.unclassified_queue.arn]
      },
    ],
    [for ok in [length(each.value.kinesis) > 0] : {
      sid       = "ReadStreams"
      actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"]
      resources = [for s in each.value.kinesis : module.kinesis[s].arn]
    } if ok],
    [for ok in [length(each.value.s3) > 0] : {
      sid       = "ReadObjects"
      actions   = ["s3:GetObject"]
      resources = [for b in each.value.s3 : "arn:${local.partition}:s3:::${b}/*"]
    } if ok],
    # Historical search: the streams of the enabled log types, not the
    # alerts stream.
    [for m in module.historical : {
      sid       = "PutHistoricalRecords"
      actions   = ["firehose:PutRecordBatch"]
      resources = [for table, arn in m.stream_arns : arn if table != "alerts"]
    } if length(m.stream_arns) > 1],
  )
}

module "rules" {
  source = "./modules/function"

  name                 = local.names.rules
  function             = "rules"
  account_id           = local.function_defaults.account_id
  package_path         = local.function_defaults.package_path
  architecture         = local.function_defaults.architecture
  log_retention_days   = local.function_defaults.log_retention_days
  memory_size          = var.rules.memory_size
  timeout              = var.rules.timeout
  reserved_concurrency = var.rules.reserved_concurrency
  alarm_actions        = [module.alarms.topic_arn]
  tags                 = var.tags

  environment = merge(local.common_env, { SA_IOC_TABLE = module.tables.ioc_name })
  sqs_sources = { (local.names.classified) = module.classified_queue.arn }

  statements = concat(
    [
      local.data_key_statement,
      local.alerts_statement,
      local.state_statement,
      {
        sid       = "ConsumeClassified"
        actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        resources = [module.classified_queue.arn]
      },
      {
        sid       = "ReadIOCs"
        actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem"]
        resources = [module.tables.ioc_arn]
      },
    ],
    local.lookup_statements,
    # Historical search: the alerts stream.
    [for m in module.historical : {
      sid       = "PutHistoricalAlerts"
      actions   = ["firehose:PutRecordBatch"]
      resources = [m.stream_arns["alerts"]]
    }],
  )
}

module "merger" {
  source = "./modules/function"

  name                = local.names.merger
  function            = "merger"
  account_id          = local.function_defaults.account_id
  package_path        = local.function_defaults.package_path
  architecture        = local.function_defaults.architecture
  log_retention_days  = local.function_defaults.log_retention_days
  memory_size         = var.merger.memory_size
  timeout             = var.merger.timeout
  schedule_expression = "rate(1 minute)"
  alarm_actions       = [module.alarms.topic_arn]
  tags                = var.tags
  environment         = local.common_env

  # One merger at a time, as StreamAlert's: two would merge the same alerts.
  reserved_concurrency = 1

  statements = [local.data_key_statement, local.alerts_statement, local.state_statement]
}

module "processor" {
  source = "./modules/function"

  name                 = local.names.processor
  function             = "processor"
  account_id           = local.function_defaults.account_id
  package_path         = local.function_defaults.package_path
  architecture         = local.function_defaults.architecture
  log_retention_days   = local.function_defaults.log_retention_days
  memory_size          = var.processor.memory_size
  timeout              = var.processor.timeout
  reserved_concurrency = var.processor.reserved_concurrency
  schedule_expression  = "rate(1 minute)"
  alarm_actions        = [module.alarms.topic_arn]
  tags                 = var.tags

  environment = merge(local.common_env, {
    SA_SECRETS_PREFIX  = var.secrets_prefix
    SA_SECRETS_KMS_KEY = module.secrets_key.alias
  })

  statements = concat(
    [
      local.data_key_statement,
      local.alerts_statement,
      local.state_statement,
      {
        sid       = "ReadOutputSecrets"
        actions   = ["ssm:GetParameter"]
        resources = ["${local.ssm_arn}/output/*"]
      },
      {
        sid       = "DecryptOutputSecrets"
        actions   = ["kms:Decrypt"]
        resources = [module.secrets_key.arn]
        conditions = [{
          test     = "StringLike"
          variable = "kms:EncryptionContext:PARAMETER_ARN"
          values   = ["${local.ssm_arn}/output/*"]
        }]
      },
    ],
    local.output_statements,
    var.processor_statements,
  )
}

module "app" {
  source   = "./modules/function"
  for_each = var.apps

  name                = "${var.prefix}_${each.value.cluster}_streamalert_app_${each.key}"
  function            = "app"
  account_id          = local.function_defaults.account_id
  package_path        = local.function_defaults.package_path
  architecture        = local.function_defaults.architecture
  log_retention_days  = local.function_defaults.log_retention_days
  memory_size         = each.value.memory_size
  timeout             = each.value.timeout
  schedule_expression = each.value.schedule_expression
  alarm_actions       = [module.alarms.topic_arn]
  tags                = var.tags

  # One poll of an app instance at a time: its state is one parameter.
  reserved_concurrency = 1

  # The app's state lives beside its credentials: the secrets prefix with
  # its last element replaced by "state" (/p/sa/secrets -> /p/sa/state).
  # Each app reads the variables its sink needs.
  environment = merge(local.common_env, {
    SA_APP                   = each.key
    SA_CLUSTER               = each.value.cluster
    SA_CLASSIFIER_FUNCTION   = module.classifier[each.value.cluster].name
    SA_DEAD_LETTER_QUEUE_URL = module.unclassified_queue.url
    SA_IOC_TABLE             = module.tables.ioc_name
    SA_SECRETS_PREFIX        = var.secrets_prefix
    SA_SECRETS_KMS_KEY       = module.secrets_key.alias
    SA_APP_STATE_PREFIX      = replace(var.secrets_prefix, "/[^/]+$/", "state")
  })

  statements = concat(
    [
      {
        sid       = "ReadAppSecret"
        actions   = ["ssm:GetParameter"]
        resources = ["${local.ssm_arn}/app/${each.value.plugin}/${each.key}"]
      },
      {
        sid       = "OwnState"
        actions   = ["ssm:GetParameter", "ssm:PutParameter"]
        resources = ["${replace(local.ssm_arn, "/[^/]+$/", "state")}/app/${each.key}"]
      },
      {
        sid       = "DecryptAppParameters"
        actions   = ["kms:Decrypt"]
        resources = [module.secrets_key.arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:EncryptionContext:PARAMETER_ARN"
          values = [
            "${local.ssm_arn}/app/${each.value.plugin}/${each.key}",
            "${replace(local.ssm_arn, "/[^/]+$/", "state")}/app/${each.key}",
          ]
        }]
      },
      {
        sid       = "EncryptAppState"
        actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
        resources = [module.secrets_key.arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:EncryptionContext:PARAMETER_ARN"
          values   = ["${replace(local.ssm_arn, "/[^/]+$/", "state")}/app/${each.key}"]
        }]
      },
      local.data_key_statement,
      {
        # A backlog continues in a new invocation of the function itself,
        # named here rather than referenced, which would be a cycle.
        sid       = "ContinueBacklog"
        actions   = ["lambda:InvokeFunction"]
        resources = ["arn:${local.partition}:lambda:${var.region}:${var.account_id}:function:${var.prefix}_${each.value.cluster}_streamalert_app_${each.key}"]
      },
    ],
    # Logs go to the cluster's classifier, logs too big for it to the
    # unclassified queue; a threat intel feed's IOCs to the IOC table.
    [for ok in [each.value.sink != "threat_intel"] : {
      sid       = "SendLogs"
      actions   = ["lambda:InvokeFunction"]
      resources = [module.classifier[each.value.cluster].arn]
    } if ok],
    [for ok in [each.value.sink != "threat_intel"] : {
      sid       = "KeepOversizedLogs"
      actions   = ["sqs:SendMessage"]
      resources = [module.unclassified_queue.arn]
    } if ok],
    [for ok in [each.value.sink == "threat_intel"] : {
      sid       = "WriteIOCs"
      actions   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
      resources = [module.tables.ioc_arn]
    } if ok],
  )
}
