# Inputs of sa's AWS deployment. sa deploy writes them all to
# terraform.tfvars.json from sa.yaml and the conf; edit those, not the file.

variable "prefix" {
  description = "Prefix of every resource name (global.json account.prefix)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,19}$", var.prefix))
    error_message = "prefix must be 1-20 lowercase letters, digits or '_', starting with a letter."
  }
}

variable "region" {
  description = "AWS region (global.json account.region)."
  type        = string
}

variable "account_id" {
  description = "AWS account id (global.json account.aws_account_id); the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "package_path" {
  description = "Absolute path of the deployment package zip."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the bootstrap binary: arm64 or x86_64."
  type        = string
  default     = "arm64"
}

variable "log_retention_days" {
  description = "Days every function's logs are kept."
  type        = number
  default     = 30
}

variable "secrets_prefix" {
  description = "SSM parameter path of the credentials, such as /sa/secrets."
  type        = string

  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.secrets_prefix))
    error_message = "secrets_prefix must start with / and not end with one."
  }
}

variable "secrets_kms_alias" {
  description = "Alias (without alias/) of the KMS key encrypting the credentials (global.json account.kms_key_alias)."
  type        = string
}

variable "ioc_table" {
  description = "Name of the threat intel IOC table (threat_intel.json dynamodb_table_name); empty for <prefix>_streamalert_threat_intel_downloader."
  type        = string
  default     = ""
}

variable "clusters" {
  description = "Clusters and the data_sources their classifier reads: Kinesis stream names, S3 bucket names, SNS topic names."
  type = map(object({
    kinesis = optional(list(string), [])
    s3      = optional(list(string), [])
    sns     = optional(list(string), [])
  }))
}

variable "kinesis_shards" {
  description = "Shards of each provisioned stream by name; streams not listed are on-demand."
  type        = map(number)
  default     = {}
}

variable "classifier" {
  description = "Settings of every cluster's classifier."
  type = object({
    memory_size          = optional(number, 256)
    timeout              = optional(number, 60)
    reserved_concurrency = optional(number, -1)
  })
  default = {}
}

variable "rules" {
  description = "Settings of the rules engine."
  type = object({
    memory_size          = optional(number, 256)
    timeout              = optional(number, 60)
    reserved_concurrency = optional(number, -1)
  })
  default = {}
}

variable "merger" {
  description = "Settings of the alert merger (always one at a time)."
  type = object({
    memory_size = optional(number, 128)
    timeout     = optional(number, 60)
  })
  default = {}
}

variable "processor" {
  description = "Settings of the alert processor."
  type = object({
    memory_size          = optional(number, 256)
    timeout              = optional(number, 120)
    reserved_concurrency = optional(number, -1)
  })
  default = {}
}

variable "apps" {
  description = "App instances, each its own scheduled function: the cluster whose data_sources list it, its plugin, schedule and size."
  type = map(object({
    cluster             = string
    plugin              = string
    schedule_expression = string
    memory_size         = optional(number, 256)
    timeout             = optional(number, 300)
    sink                = optional(string, "")
  }))
  default = {}
}

variable "processor_statements" {
  description = "Further IAM statements for the processor, for output plugins that call AWS (an aws-s3 output's bucket, ...). Explicit actions and resources only."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []
}

variable "alarm_emails" {
  description = "Addresses subscribed to the monitoring topic."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
