# Historical search (reference §1.7, §7.3), when global.json
# infrastructure.firehose is enabled: every classified record of the
# enabled log types, and every alert, kept in S3 and queried with Athena.
# sa deploy writes the variable from the conf; the classifier may put
# records on exactly the log types' streams (functions.tf).

variable "historical" {
  description = "Historical search: whether it is on, the data bucket, the streams' buffering (MiB, seconds), and the tables with their streams and columns."
  type = object({
    enabled         = bool
    bucket          = optional(string, "")
    buffer_size     = optional(number, 128)
    buffer_interval = optional(number, 900)
    tables = optional(map(object({
      stream = string
      columns = list(object({
        name = string
        type = string
      }))
    })), {})
  })
  default = { enabled = false }
}

module "historical" {
  source = "./modules/historical"
  count  = var.historical.enabled ? 1 : 0

  prefix          = var.prefix
  region          = var.region
  account_id      = var.account_id
  bucket          = var.historical.bucket
  buffer_size     = var.historical.buffer_size
  buffer_interval = var.historical.buffer_interval
  tables          = var.historical.tables
  kms_key_arn     = module.data_key.arn
  tags            = var.tags
}

output "historical" {
  description = "Where to search history: the Glue database, the Athena workgroup and its results bucket; null when historical search is off."
  value = var.historical.enabled ? {
    database       = one(module.historical[*].database_name)
    workgroup      = one(module.historical[*].workgroup_name)
    results_bucket = one(module.historical[*].results_bucket)
  } : null
}
