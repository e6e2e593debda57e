output "classifier_functions" {
  description = "Classifier function names by cluster."
  value       = { for c, m in module.classifier : c => m.name }
}

output "functions" {
  description = "Names of the rules engine, merger and processor."
  value = {
    rules     = module.rules.name
    merger    = module.merger.name
    processor = module.processor.name
  }
}

output "app_functions" {
  description = "App function names by app instance."
  value       = { for a, m in module.app : a => m.name }
}

output "classified_queue_url" {
  description = "URL of the queue of classified records."
  value       = module.classified_queue.url
}

output "alerts_table" {
  description = "Name of the alerts table."
  value       = module.tables.alerts_name
}

output "monitoring_topic_arn" {
  description = "ARN of the topic every alarm notifies."
  value       = module.alarms.topic_arn
}

output "secrets_kms_key_alias" {
  description = "Alias of the key to encrypt credentials with (sa output set)."
  value       = module.secrets_key.alias
}
