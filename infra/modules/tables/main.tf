# sa's DynamoDB tables: alerts and state (the alert store), and the threat
# intel IOC table. The key schemas mirror host/store/dynamodb/tables.go and
# host/threatintel; change them together. Every table is on-demand,
# encrypted with the data key and has point-in-time recovery.

resource "aws_dynamodb_table" "alerts" {
  name         = var.alerts_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "AlertID"
  range_key    = "Item"

  dynamic "attribute" {
    for_each = ["AlertID", "Item", "RuleName", "MergeKey", "DuePart", "DueKey", "ListPart", "ListKey"]

    content {
      name = attribute.value
      type = "S"
    }
  }

  global_secondary_index {
    name            = "merge"
    hash_key        = "RuleName"
    range_key       = "MergeKey"
    projection_type = "KEYS_ONLY"
  }

  global_secondary_index {
    name               = "due"
    hash_key           = "DuePart"
    range_key          = "DueKey"
    projection_type    = "INCLUDE"
    non_key_attributes = ["Attempts", "LeaseUntil", "Error"]
  }

  global_secondary_index {
    name               = "list"
    hash_key           = "ListPart"
    range_key          = "ListKey"
    projection_type    = "INCLUDE"
    non_key_attributes = ["RuleName", "Created", "Staged"]
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags
}

resource "aws_dynamodb_table" "state" {
  name         = var.state_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "Key"

  attribute {
    name = "Key"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags
}

resource "aws_dynamodb_table" "ioc" {
  name         = var.ioc_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "ioc_value"

  attribute {
    name = "ioc_value"
    type = "S"
  }

  ttl {
    attribute_name = "expiration_ts"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags
}
