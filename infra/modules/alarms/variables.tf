variable "topic_name" {
  description = "Name of the monitoring SNS topic."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the topic; its key policy must let cloudwatch.amazonaws.com use it."
  type        = string
}

variable "emails" {
  description = "Addresses subscribed to the topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of the topic."
  type        = map(string)
  default     = {}
}
