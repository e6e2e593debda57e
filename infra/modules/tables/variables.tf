variable "alerts_table" {
  description = "Name of the alerts table."
  type        = string
}

variable "state_table" {
  description = "Name of the state (checkpoint) table."
  type        = string
}

variable "ioc_table" {
  description = "Name of the threat intel IOC table."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the tables."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the tables (sa destroy then fails on them until this is false)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the tables."
  type        = map(string)
  default     = {}
}
