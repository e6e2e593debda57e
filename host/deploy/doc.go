// Package deploy puts sa on AWS: it builds the deployment package every
// function of the AWS runtime runs (the bootstrap binary cross-compiled
// for Lambda, with the conf, rules, matchers and the plugins sa.yaml
// uses), writes the Terraform inputs from sa.yaml and the conf, and runs
// Terraform over the modules in infra/.
//
// The output directory keeps everything a later run needs:
//
//	OUT/build/package/          the package, unzipped, for inspection
//	OUT/build/sa-lambda.zip     the package every function deploys
//	OUT/terraform/              a copy of infra/ with terraform.tfvars.json,
//	                            where Terraform keeps its local state
//
// A plan-only run stops before Terraform, so it needs neither AWS access
// nor a terraform binary.
package deploy
