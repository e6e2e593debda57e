package awsout

import (
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/streamalert-go/sa/internal/cabundle"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Settings is the common configuration of one instance, checked.
type Settings struct {
	// Region is where the service is called: the region an ARN of the
	// resource names, else the region property.
	Region      string
	Endpoint    string // "" for the public endpoint
	STSEndpoint string // "" for the regional public endpoint
	RoleARN     string
	ExternalID  schema.Secret
	AccessKeyID string
	SecretKey   schema.Secret
	Token       schema.Secret
	CAFile      string
}

var (
	regionRE     = regexp.MustCompile(`^` + regionPattern + `$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	accessKeyRE  = regexp.MustCompile(`^\w{16,128}$`)
	accountRE    = regexp.MustCompile(`^[0-9]{12}$`)
)

// ParseSettings reads and checks the common properties. arnRegion is the
// region named by the service's resource when it is an ARN, "" otherwise;
// resourceProp is the property holding it, for messages. Problems name
// the field and never quote a credential.
func ParseSettings(cfg schema.Config, arnRegion, resourceProp string) (Settings, []schema.Problem) {
	s := Settings{
		Region:      cfg.String(PropRegion),
		RoleARN:     cfg.String(PropAssumeRoleARN),
		ExternalID:  cfg.Secret(PropExternalID),
		AccessKeyID: cfg.String(PropAccessKeyID),
		SecretKey:   cfg.Secret(PropSecretKey),
		Token:       cfg.Secret(PropSessionToken),
		CAFile:      cfg.String(PropCAFile),
	}
	var problems []schema.Problem
	add := func(field, msg string) { problems = append(problems, schema.Problem{Field: field, Message: msg}) }
	switch {
	case arnRegion != "" && s.Region != "" && s.Region != arnRegion:
		add(PropRegion, "is "+s.Region+" but the ARN in "+resourceProp+" names "+arnRegion)
	case arnRegion != "":
		s.Region = arnRegion
	case s.Region == "":
		add(PropRegion, "required (or give "+resourceProp+" as an ARN, which names its region)")
	}
	var msg string
	if s.Endpoint, msg = checkEndpoint(cfg.String(PropEndpointURL)); msg != "" {
		add(PropEndpointURL, msg)
	}
	if s.STSEndpoint, msg = checkEndpoint(cfg.String(PropSTSEndpointURL)); msg != "" {
		add(PropSTSEndpointURL, msg)
	}
	problems = append(problems, s.checkRole()...)
	problems = append(problems, s.checkKeys()...)
	if _, err := cabundle.RootCAs(s.CAFile); err != nil {
		add(PropCAFile, err.Error())
	}
	return s, problems
}

// checkRole checks the role ARN and external id.
func (s Settings) checkRole() []schema.Problem {
	var problems []schema.Problem
	if s.RoleARN != "" && !IsRoleARN(s.RoleARN) {
		problems = append(problems, schema.Problem{Field: PropAssumeRoleARN,
			Message: "is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"})
	}
	ext := s.ExternalID.Reveal()
	switch {
	case ext != "" && s.RoleARN == "":
		problems = append(problems, schema.Problem{Field: PropExternalID, Message: "is only used with assume_role_arn"})
	case ext != "" && (len(ext) < 2 || len(ext) > 1224 || !externalIDRE.MatchString(ext)):
		problems = append(problems, schema.Problem{Field: PropExternalID,
			Message: "must be 2 to 1224 characters of letters, digits and +=,.@:/-"})
	}
	return problems
}

// checkKeys checks that static credentials come whole.
func (s Settings) checkKeys() []schema.Problem {
	id, secret, token := s.AccessKeyID, s.SecretKey.Reveal(), s.Token.Reveal()
	switch {
	case id == "" && secret == "" && token == "":
		return nil
	case id == "":
		return []schema.Problem{{Field: PropAccessKeyID, Message: "required with aws_secret_access_key or aws_session_token"}}
	case secret == "":
		return []schema.Problem{{Field: PropSecretKey, Message: "required with aws_access_key_id"}}
	case !accessKeyRE.MatchString(id):
		return []schema.Problem{{Field: PropAccessKeyID, Message: "must be 16 to 128 letters and digits"}}
	}
	return nil
}

// checkEndpoint checks an endpoint override and returns it without a
// trailing slash. It never quotes the value.
func checkEndpoint(raw string) (string, string) {
	if raw == "" {
		return "", ""
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", "is not a valid absolute URL"
	case u.User != nil:
		return "", "may not carry user information"
	case u.RawQuery != "" || u.Fragment != "":
		return "", "may not have a query or fragment"
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		return "", "scheme must be https (http is allowed for localhost only)"
	default:
		return "", "scheme must be https"
	}
	return strings.TrimSuffix(u.String(), "/"), ""
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// IsRoleARN reports whether s is an IAM role ARN.
func IsRoleARN(s string) bool {
	a, err := arn.Parse(s)
	return err == nil && a.Service == "iam" && a.Region == "" && accountRE.MatchString(a.AccountID) &&
		strings.HasPrefix(a.Resource, "role/") && len(a.Resource) > len("role/")
}

// IsRegion reports whether s looks like an AWS region name.
func IsRegion(s string) bool { return regionRE.MatchString(s) }

// IsAccount reports whether s is a 12-digit AWS account id.
func IsAccount(s string) bool { return accountRE.MatchString(s) }

// Partition returns the ARN partition of a region.
func Partition(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"},
		{"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// STSEndpoint returns the checked sts_endpoint_url of cfg, or "".
func STSEndpoint(cfg schema.Config) string {
	e, _ := checkEndpoint(cfg.String(PropSTSEndpointURL))
	return e
}
