variable "alias" {
  description = "Alias of the key, without the alias/ prefix."
  type        = string
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "service_principals" {
  description = "AWS service principals (cloudwatch.amazonaws.com, ...) that encrypt or decrypt with the key for this account."
  type        = list(string)
  default     = []
}

variable "rotation_period_in_days" {
  description = "Days between automatic rotations of the key material."
  type        = number
  default     = 365
}

variable "deletion_window_in_days" {
  description = "Days a scheduled deletion waits, during which it can be cancelled."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of the key."
  type        = map(string)
  default     = {}
}
