variable "name" {
  description = "Name of the stream, as the cluster's data_sources list it."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the stream."
  type        = string
}

variable "shard_count" {
  description = "Shards of a provisioned stream; 0 makes the stream on-demand."
  type        = number
  default     = 0
}

variable "retention_hours" {
  description = "Hours records stay readable."
  type        = number
  default     = 24
}

variable "iterator_age_threshold_ms" {
  description = "Iterator age above which the alarm fires, in milliseconds."
  type        = number
  default     = 1000000
}

variable "write_exceeded_threshold" {
  description = "Throttled writes per period above which the alarm fires."
  type        = number
  default     = 10
}

variable "alarm_period_seconds" {
  description = "Period of the alarms, in seconds."
  type        = number
  default     = 300
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm changes state."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of the stream and alarms."
  type        = map(string)
  default     = {}
}
