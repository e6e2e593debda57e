package awsout

import "github.com/streamalert-go/sa/sdk/schema"

// Property names every AWS output takes, beside its own.
const (
	PropDescriptor     = "descriptor"
	PropResource       = "aws_value"
	PropRegion         = "region"
	PropEndpointURL    = "endpoint_url"
	PropSTSEndpointURL = "sts_endpoint_url"
	PropAssumeRoleARN  = "assume_role_arn"
	PropExternalID     = "external_id"
	PropAccessKeyID    = "aws_access_key_id"
	PropSecretKey      = "aws_secret_access_key"
	PropSessionToken   = "aws_session_token"
	PropCAFile         = "ca_file"
)

// ForbiddenChars is StreamAlert's default input restriction: a space or a
// colon would break "service:descriptor" and credential lookups.
const ForbiddenChars = " :"

// regionPattern matches AWS region names: us-east-1, eu-central-2,
// us-gov-west-1, cn-north-1, us-isob-east-1.
const regionPattern = `[a-z]{2}(-[a-z]+)+-[0-9]{1,2}`

// CommonOptions tunes the shared properties to a service.
type CommonOptions struct {
	// RegionOptional is set by services whose resource may be an ARN that
	// names its region; ValidateConfig then requires one or the other.
	RegionOptional bool
	// RoleIsCredential keeps assume_role_arn in the secret store, as
	// StreamAlert's aws-lambda-v2 does.
	RoleIsCredential bool
}

// Descriptor returns the descriptor property with StreamAlert's
// restrictions and the given description.
func Descriptor(description string) schema.Property {
	return schema.Property{
		Name:           PropDescriptor,
		Description:    description,
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: ForbiddenChars,
		Example:        "alerts",
	}
}

// Properties returns the properties every AWS output adds after its own.
func Properties(opts CommonOptions) []schema.Property {
	regionDesc := "AWS region of the destination, e.g. us-east-1."
	if opts.RegionOptional {
		regionDesc = "AWS region of the destination, e.g. us-east-1; may be left out when the destination is given as an ARN."
	}
	region := schema.Property{Name: PropRegion, Description: regionDesc, Pattern: regionPattern, Example: "us-east-1"}
	region.Required = !opts.RegionOptional
	return []schema.Property{
		region,
		{
			Name: PropEndpointURL,
			Description: "Service endpoint to use instead of the public one (a VPC interface endpoint, or a local " +
				"stand-in); https, except for localhost.",
			ForbiddenChars: " ",
			Example:        "https://vpce-0123456789abcdef0-abcdefgh.sqs.us-east-1.vpce.amazonaws.com",
		},
		{
			Name: PropSTSEndpointURL,
			Description: "STS endpoint to use instead of the regional public one, to assume assume_role_arn (and, for " +
				"aws-sns, to find the account of a topic given by name); https, except for localhost.",
			ForbiddenChars: " ",
			Example:        "https://sts.us-east-1.amazonaws.com",
		},
		{
			Name: PropAssumeRoleARN,
			Description: "Role to assume (session name sa-output) before calling the service, for a destination in " +
				"another account.",
			Credential:     opts.RoleIsCredential,
			ForbiddenChars: " ",
			Example:        "arn:aws:iam::123456789012:role/sa-alert-delivery",
		},
		{
			Name:           PropExternalID,
			Description:    "External id the role's trust policy requires; only with assume_role_arn.",
			Credential:     true,
			ForbiddenChars: " ",
			Example:        "sa-3f9c1e",
		},
		{
			Name: PropAccessKeyID,
			Description: "Access key id of static credentials; leave out to use the default credential chain " +
				"(instance profile, ECS task role, web identity).",
			Credential:     true,
			ForbiddenChars: " ",
			Example:        "AKIAIOSFODNN7EXAMPLE",
		},
		{
			Name:        PropSecretKey,
			Description: "Secret access key of the static credentials.",
			Secret:      true,
			Credential:  true,
		},
		{
			Name:        PropSessionToken,
			Description: "Session token, when the static credentials are temporary ones.",
			Secret:      true,
			Credential:  true,
		},
		{
			Name:        PropCAFile,
			Description: "PEM bundle of CA certificates trusted beside the system roots, for endpoint_url or a TLS-inspecting proxy.",
			Example:     "/etc/sa/aws-ca.pem",
		},
	}
}

// Schema is the descriptor, the service's own properties and the common
// ones, in that order (prompts follow it).
func Schema(descriptor schema.Property, own []schema.Property, opts CommonOptions) schema.Schema {
	props := append([]schema.Property{descriptor}, own...)
	return schema.Schema{Properties: append(props, Properties(opts)...)}
}
