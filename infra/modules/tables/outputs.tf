output "alerts_arn" {
  description = "ARN of the alerts table."
  value       = aws_dynamodb_table.alerts.arn
}

output "alerts_name" {
  description = "Name of the alerts table."
  value       = aws_dynamodb_table.alerts.name
}

output "state_arn" {
  description = "ARN of the state table."
  value       = aws_dynamodb_table.state.arn
}

output "state_name" {
  description = "Name of the state table."
  value       = aws_dynamodb_table.state.name
}

output "ioc_arn" {
  description = "ARN of the IOC table."
  value       = aws_dynamodb_table.ioc.arn
}

output "ioc_name" {
  description = "Name of the IOC table."
  value       = aws_dynamodb_table.ioc.name
}
