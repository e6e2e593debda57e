package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/awsfake"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// TestOutputActsAsFunctionRole: on Lambda the function's role reaches
// processes only as environment variables. sa's own AWS outputs get them,
// so an aws-sqs output with no keys of its own sends as the function's
// role, session token included; with aws_credentials emptied in sa.yaml
// the plugin has no credentials at all and the send fails.
func TestOutputActsAsFunctionRole(t *testing.T) {
	const roleKey, roleSecret, roleToken = "ASIAFUNCTIONROLE0001", "function-role-secret-key", "function-role-session-token"
	t.Setenv("AWS_ACCESS_KEY_ID", roleKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", roleSecret)
	t.Setenv("AWS_SESSION_TOKEN", roleToken)
	t.Setenv("AWS_REGION", awsfake.Region)
	fake := awsfake.New(t)
	fake.AddCredentials(roleKey, roleSecret, roleToken)
	queue := fake.AddQueue("alerts")
	dir := installPlugin(t, "plugins/output/aws-sqs")

	for _, forward := range []bool{true, false} {
		dep := newDeployment(t, dir)
		if !forward {
			dep.Config.AWSCredentials = &[]string{}
		}
		plugins := dep.Plugins(quiet)
		cfg := fake.Config(t, map[string]any{"descriptor": "alerts", "aws_value": queue,
			"aws_access_key_id": nil, "aws_secret_access_key": nil})
		plugins.Configure("output.aws-sqs", "alerts", func(context.Context) (map[string]any, error) { return cfg, nil })
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := plugins.Send(ctx, "aws-sqs", "alerts", []byte(awsfake.TestAlert), []byte(`{}`))
		cancel()
		plugins.Close()
		if strings.Contains(res.Message, roleSecret) || strings.Contains(res.Message, roleToken) ||
			(err != nil && strings.Contains(err.Error(), roleSecret)) {
			t.Errorf("forward=%v: the role's secret reached a result: %q %v", forward, res.Message, err)
		}
		t.Logf("forward=%v: %+v %v", forward, res, err)
		sent := err == nil && res.Status == saplugin.Delivered
		if sent != forward {
			t.Fatalf("forward=%v: delivered=%v (%+v, %v)", forward, sent, res, err)
		}
	}
	calls := fake.Calls("SendMessage")
	if len(calls) != 1 || calls[0].AccessKeyID != roleKey || calls[0].SessionToken != roleToken {
		t.Errorf("SendMessage calls %+v, want one signed by the function's role", calls)
	}
}
