package awsfake

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// ssmClient is an SSM client of the fake with the SDK's retries off.
func ssmClient(s *Server) *ssm.Client {
	return ssm.New(ssm.Options{
		Region: Region, BaseEndpoint: aws.String(s.URL), HTTPClient: s.Client(),
		Credentials:      credentials.NewStaticCredentialsProvider(AccessKeyID, SecretKey, ""),
		RetryMaxAttempts: 1,
	})
}

func put(c *ssm.Client, in *ssm.PutParameterInput) error {
	_, err := c.PutParameter(context.Background(), in)
	return err
}

// TestSSMSecureString: a SecureString is stored under its key and read
// back only with WithDecryption; without it SSM answers the ciphertext.
func TestSSMSecureString(t *testing.T) {
	s := New(t)
	s.AddKMSKey("alias/sa_secrets")
	c := ssmClient(s)
	const name, value = "/p/sa/state/app/duo", `{"cursor":"plaintext-cursor-7f3e9a"}`
	err := put(c, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value),
		Type: types.ParameterTypeSecureString, KeyId: aws.String("alias/sa_secrets")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plain, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(plain.Parameter.Value) != value || plain.Parameter.Type != types.ParameterTypeSecureString ||
		plain.Parameter.Version != 1 || aws.ToString(plain.Parameter.ARN) != "arn:aws:ssm:"+Region+":"+Account+":parameter"+name {
		t.Fatalf("decrypted read: %+v %v", plain, err)
	}
	sealed, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	got := aws.ToString(sealed.Parameter.Value)
	if got == "" || strings.Contains(got, "plaintext-cursor") {
		t.Errorf("read without decryption returned %q", got)
	}
	p, ok := s.Parameter(name)
	if !ok || p.Value != value || p.Ciphertext != got || p.KeyID != "alias/sa_secrets" || p.Tier != "Standard" {
		t.Errorf("stored %+v", p)
	}
	// Put sends the value; the call record is the test's to inspect.
	if c := s.Only(t, "PutParameter"); c.String("Value") != value || c.Service != "ssm" {
		t.Errorf("recorded %s %s", c.Service, c.Op)
	}
}

// TestSSMPutRules: overwrite, keys, tiers and names as SSM enforces them.
func TestSSMPutRules(t *testing.T) {
	s := New(t)
	c := ssmClient(s)
	secure := func(name, value, key string, overwrite bool, tier types.ParameterTier) *ssm.PutParameterInput {
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeSecureString,
			Overwrite: aws.Bool(overwrite), Tier: tier}
		if key != "" {
			in.KeyId = aws.String(key)
		}
		return in
	}
	big := strings.Repeat("v", 5000)
	tests := []struct {
		name string
		in   *ssm.PutParameterInput
		code string
		tier string
	}{
		{"create with the default key", secure("/a/one", "x", "", false, ""), "", "Standard"},
		{"exists without overwrite", secure("/a/one", "y", "", false, ""), "ParameterAlreadyExists", ""},
		{"overwrite", secure("/a/one", "y", "", true, ""), "", "Standard"},
		{"unknown key", secure("/a/two", "x", "alias/nope", false, ""), "InvalidKeyId", ""},
		{"too long for standard", secure("/a/big", big, "", false, types.ParameterTierStandard), "ValidationException", ""},
		{"intelligent tiering goes advanced", secure("/a/big", big, "", false, types.ParameterTierIntelligentTiering), "", "Advanced"},
		{"no downgrade", secure("/a/big", "x", "", true, types.ParameterTierStandard), "ValidationException", ""},
		{"intelligent tiering stays advanced", secure("/a/big", "x", "", true, types.ParameterTierIntelligentTiering), "", "Advanced"},
		{"too long for any tier", secure("/a/huge", strings.Repeat("v", 9000), "", false, types.ParameterTierAdvanced), "ValidationException", ""},
		{"empty value", secure("/a/empty", "", "", false, ""), "ValidationException", ""},
		{"reserved name", secure("/aws/x", "x", "", false, ""), "ValidationException", ""},
		{"bad name", secure("/a/b c", "x", "", false, ""), "ValidationException", ""},
		{"too deep", secure(strings.Repeat("/a", 16), "x", "", false, ""), "HierarchyLevelLimitExceededException", ""},
		{"no type", &ssm.PutParameterInput{Name: aws.String("/a/untyped"), Value: aws.String("x")}, "ValidationException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := put(c, tt.in)
			if code(err) != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if p, _ := s.Parameter(aws.ToString(tt.in.Name)); p.Tier != tt.tier || p.Value != aws.ToString(tt.in.Value) || p.KeyID != DefaultSSMKey {
				t.Errorf("stored tier %s key %s, want tier %s and the default key", p.Tier, p.KeyID, tt.tier)
			}
		})
	}
	if p, _ := s.Parameter("/a/one"); p.Version != 2 {
		t.Errorf("version after overwrite %d, want 2", p.Version)
	}
}

// TestSSMErrors: a missing parameter and throttling come back with SSM's
// codes.
func TestSSMErrors(t *testing.T) {
	s := New(t)
	c := ssmClient(s)
	ctx := context.Background()
	_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/missing")})
	if code(err) != "ParameterNotFound" {
		t.Errorf("missing: %v", err)
	}
	s.SetParameter("/here", "String", "plain")
	s.Fail("GetParameter", 1, Throttle)
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/here")})
	if code(err) != "ThrottlingException" {
		t.Errorf("throttled: %v", err)
	}
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/here")})
	if err != nil || aws.ToString(out.Parameter.Value) != "plain" || out.Parameter.Type != types.ParameterTypeString {
		t.Errorf("after the throttle: %+v %v", out, err)
	}
}
