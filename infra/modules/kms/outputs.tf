output "arn" {
  description = "ARN of the key."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "alias" {
  description = "Alias of the key, with the alias/ prefix."
  value       = aws_kms_alias.this.name
}
