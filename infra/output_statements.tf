# What the AWS outputs of sa.yaml call with the processor's role, which sa
# deploy derives from each output's properties (host/deploy,
# vars_outputs.go): its service's actions on exactly its destination, or
# sts:AssumeRole on its assume_role_arn, or nothing when it has its own
# keys. Third-party output plugins are granted in processor_statements.

variable "output_statements" {
  description = "IAM statements for the processor, derived by sa deploy from the AWS outputs of sa.yaml. Explicit actions and ARNs only."
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
    condition = alltrue([for s in var.output_statements :
      can(regex("^Outputs?[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0 &&
      alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z]+$", a))]) &&
      alltrue([for r in s.resources : startswith(r, "arn:")])
    ])
    error_message = "output_statements: each needs a sid Output<letters and digits>, named actions and ARNs."
  }

  validation {
    condition     = length(distinct([for s in var.output_statements : s.sid])) == length(var.output_statements)
    error_message = "output_statements: sids must be unique."
  }
}

locals {
  # Statements on ARNs of the deployment's partition, the only ones its
  # role can use; sa deploy writes no others.
  output_statements = [for s in var.output_statements : s if alltrue([for r in s.resources : startswith(r, "arn:${local.partition}:")])]
}

check "output_statements_partition" {
  assert {
    condition     = length(local.output_statements) == length(var.output_statements)
    error_message = "output_statements: statements on ARNs of another partition than ${local.partition} are left out."
  }
}
