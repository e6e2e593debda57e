variable "prefix" {
  description = "Prefix of the deployment's resource names."
  type        = string
}

variable "region" {
  description = "Region of the deployment."
  type        = string
}

variable "account_id" {
  description = "Account of the deployment."
  type        = string
}

variable "bucket" {
  description = "Name of the data bucket the streams write to (global.json infrastructure.firehose.bucket_name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be a valid S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the streams, the data, the query results."
  type        = string
}

variable "buffer_size" {
  description = "MiB a stream buffers before writing an object (firehose.buffer_size)."
  type        = number
  default     = 128

  validation {
    condition     = var.buffer_size >= 1 && var.buffer_size <= 128
    error_message = "buffer_size must be 1-128 MiB."
  }
}

variable "buffer_interval" {
  description = "Seconds a stream buffers before writing an object (firehose.buffer_interval)."
  type        = number
  default     = 900

  validation {
    condition     = var.buffer_interval >= 0 && var.buffer_interval <= 900
    error_message = "buffer_interval must be 0-900 seconds."
  }
}

variable "tables" {
  description = "Tables by name: the delivery stream writing each, and its columns with their Hive types (sa deploy derives them from the schemas)."
  type = map(object({
    stream = string
    columns = list(object({
      name = string
      type = string
    }))
  }))

  validation {
    condition     = alltrue([for t, v in var.tables : can(regex("^[a-z0-9_]{1,255}$", t)) && can(regex("^[a-zA-Z0-9_.-]{1,64}$", v.stream)) && length(v.columns) > 0])
    error_message = "Table names are lowercase letters, digits and '_'; stream names are 1-64 letters, digits, '_', '.' or '-'; every table has columns."
  }
}

variable "partition_range" {
  description = "Hours Athena's partition projection covers: the first and the last, yyyy-MM-dd-HH or relative to NOW."
  type        = string
  default     = "NOW-3YEARS,NOW"
}

variable "results_expiration_days" {
  description = "Days query results are kept."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Days the streams' delivery error logs are kept."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
