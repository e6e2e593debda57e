package embedded

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPluginOptionsAWSCredentials: sa's own AWS outputs get sa's AWS
// credentials unless sa.yaml names others, or none with an empty list.
func TestPluginOptionsAWSCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want, not  []string
	}{
		{"default", "", BuiltinAWSOutputs, []string{"output.slack", "output.webhook"}},
		{"none", "aws_credentials: []\n", nil, BuiltinAWSOutputs},
		{"chosen", "aws_credentials: [output.aws-s3, output.acme-s3]\n", []string{"output.aws-s3", "output.acme-s3"}, []string{"output.aws-sqs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			if err := os.WriteFile(filepath.Join(home, ConfigFile), []byte("isolate: [output.slack]\n"+tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(home)
			if err != nil {
				t.Fatal(err)
			}
			o := cfg.PluginOptions([]string{"a", "b/../a", "c"}, nil)
			if len(o.Dirs) != 2 || !o.Isolate["output.slack"] {
				t.Errorf("dirs %v, isolate %v", o.Dirs, o.Isolate)
			}
			for _, p := range tc.want {
				if !o.AWSCredentials[p] {
					t.Errorf("%s does not get the AWS credentials", p)
				}
			}
			for _, p := range tc.not {
				if o.AWSCredentials[p] {
					t.Errorf("%s gets the AWS credentials", p)
				}
			}
		})
	}
}

func TestPluginAddressesChecked(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ConfigFile), []byte("aws_credentials: [output.aws-s3, aws-sqs]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(home)
	if err == nil || !strings.Contains(err.Error(), `aws_credentials[1]: "aws-sqs" is not a plugin address`) {
		t.Fatalf("got %v", err)
	}
}
