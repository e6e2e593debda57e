variable "name" {
  description = "Name of the queue; the dead letter queue is <name>_dlq."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting both queues."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout: at least six times the consumer function's timeout, as Lambda recommends."
  type        = number
}

variable "message_retention_seconds" {
  description = "How long an unconsumed message is kept."
  type        = number
  default     = 345600
}

variable "max_receive_count" {
  description = "Receives after which a message moves to the dead letter queue."
  type        = number
  default     = 5
}

variable "age_threshold_seconds" {
  description = "Age of the oldest message above which the age alarm fires."
  type        = number
  default     = 900
}

variable "alarm_period_seconds" {
  description = "Period of the alarms, in seconds."
  type        = number
  default     = 300
}

variable "alarm_evaluation_periods" {
  description = "Periods the age must stay high before the alarm fires."
  type        = number
  default     = 1
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm changes state."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of the queues and alarms."
  type        = map(string)
  default     = {}
}
