# The lookup tables the rules function reads (lookup_tables.json): it may
# read those objects and tables and no others. Tables of sa's file driver
# travel in the deployment package.

variable "lookup_tables" {
  description = "Lookup tables in S3 (bucket/key) and DynamoDB (table names) that rules read."
  type = object({
    s3_objects      = optional(list(string), [])
    dynamodb_tables = optional(list(string), [])
  })
  default = {}
}

locals {
  lookup_statements = concat(
    [for ok in [length(var.lookup_tables.s3_objects) > 0] : {
      sid       = "ReadLookupObjects"
      actions   = ["s3:GetObject"]
      resources = [for o in var.lookup_tables.s3_objects : "arn:${local.partition}:s3:::${o}"]
    } if ok],
    [for ok in [length(var.lookup_tables.dynamodb_tables) > 0] : {
      sid       = "ReadLookupTables"
      actions   = ["dynamodb:GetItem"]
      resources = [for t in var.lookup_tables.dynamodb_tables : "arn:${local.partition}:dynamodb:${var.region}:${var.account_id}:table/${t}"]
    } if ok],
  )
}
