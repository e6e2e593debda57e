package pluginhost

import "os"

// awsEnvKeys are the variables through which the AWS SDKs find the
// credentials of the environment sa runs in: a Lambda function's role
// (static keys and a session token), an ECS task role (container
// credentials endpoint), an EKS service account (web identity), and the
// region. EC2 instance roles need none: the instance metadata service
// answers every process.
var awsEnvKeys = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_STS_REGIONAL_ENDPOINTS", "AWS_EC2_METADATA_DISABLED",
}

// awsSecretKeys are the awsEnvKeys whose values are credentials.
var awsSecretKeys = map[string]bool{
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_CONTAINER_AUTHORIZATION_TOKEN": true,
}

// awsEnv returns the host's AWS credential variables as environment
// entries, and the values among them that are secrets.
func awsEnv(lookup func(string) (string, bool)) (env, secrets []string) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	for _, k := range awsEnvKeys {
		v, ok := lookup(k)
		if !ok {
			continue
		}
		env = append(env, k+"="+v)
		if awsSecretKeys[k] {
			secrets = append(secrets, v)
		}
	}
	return env, secrets
}
