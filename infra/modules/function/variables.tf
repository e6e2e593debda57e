variable "name" {
  description = "Function name, <prefix>_streamalert_<function> or <prefix>_<cluster>_streamalert_<function>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "A Lambda function name is 1-64 letters, digits, '_' or '-'."
  }
}

variable "function" {
  description = "The role of the bootstrap binary, passed as SA_FUNCTION."
  type        = string

  validation {
    condition     = contains(["classifier", "rules", "merger", "processor", "app", "scheduled_queries"], var.function)
    error_message = "function must be classifier, rules, merger, processor, app or scheduled_queries."
  }
}

variable "account_id" {
  description = "The AWS account id, to scope trigger permissions."
  type        = string
}

variable "package_path" {
  description = "Path of the deployment package zip sa deploy built."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the bootstrap binary: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function, in MB."
  type        = number
  default     = 256
}

variable "timeout" {
  description = "Timeout of one invocation, in seconds."
  type        = number
  default     = 60
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for the function; -1 for no reservation."
  type        = number
  default     = -1
}

variable "environment" {
  description = "Environment of the function; SA_FUNCTION is added."
  type        = map(string)
  default     = {}
}

variable "statements" {
  description = "IAM statements of the function's role beyond writing its own logs. Each names its actions and resources explicitly."
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

  validation {
    condition     = alltrue([for s in var.statements : length(s.actions) > 0 && !contains(s.actions, "*") && length(s.resources) > 0])
    error_message = "Every statement needs explicit actions (never \"*\") and resources."
  }
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 30
}

variable "schedule_expression" {
  description = "rate(...) or cron(...) on which the function runs, or null."
  type        = string
  default     = null
}

variable "kinesis_sources" {
  description = "Kinesis streams the function reads, name => ARN."
  type        = map(string)
  default     = {}
}

variable "sqs_sources" {
  description = "SQS queues the function reads, name => ARN."
  type        = map(string)
  default     = {}
}

variable "s3_sources" {
  description = "S3 buckets whose new objects invoke the function, bucket name => ARN."
  type        = map(string)
  default     = {}
}

variable "sns_sources" {
  description = "SNS topics the function is subscribed to, name => ARN."
  type        = map(string)
  default     = {}
}

variable "batch_size" {
  description = "Records per invocation from Kinesis or SQS."
  type        = number
  default     = 100
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing Kinesis batch before its records are skipped."
  type        = number
  default     = 10
}

variable "errors_threshold" {
  description = "Errors per period above which the errors alarm fires."
  type        = number
  default     = 0
}

variable "throttles_threshold" {
  description = "Throttles per period above which the throttles alarm fires."
  type        = number
  default     = 0
}

variable "alarm_period_seconds" {
  description = "Period of the alarms, in seconds."
  type        = number
  default     = 300
}

variable "alarm_evaluation_periods" {
  description = "Periods a metric must breach before its alarm fires."
  type        = number
  default     = 1
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm changes state."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of the function and its resources."
  type        = map(string)
  default     = {}
}
