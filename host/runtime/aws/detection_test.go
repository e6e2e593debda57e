package aws

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/internal/awsemu"
)

// TestRulesDetection runs the rules function with everything around the
// rules on, as sa serve's TestDetection does: a lookup table from the
// package, the IOC table in DynamoDB, staging in the state table and rule
// error alerts.
func TestRulesDetection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := t.TempDir()
	if _, err := embedded.Init(ctx, home, embedded.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(home, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("conf/clusters/sample.json", `{"id": "sample", "enable_threat_intel": true, "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}}}`)
	write("conf/normalized_types.json", `{"cloudtrail": {"sourceAddress": ["sourceIPAddress"]}}`)
	write("conf/threat_intel.json", `{"enabled": true, "normalized_ioc_types": {"ip": ["sourceAddress"]}}`)
	write("conf/lookup_tables.json", `{"enabled": true, "tables": {"watched": {"driver": "file", "path": "watched.json"}}}`)
	write("conf/watched.json", `{"PutBucketPolicy": "s3-policy"}`)
	write("rules/detection.yaml", `rules:
  - name: known_bad_address
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: size(ioc_values(record, "ip")) > 0
  - name: watched_call
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: lookup("watched", record.eventName, "") != ""
  - name: broken_rule
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: record.requestParameters.bucketName == "x"
`)
	cfg, _ := os.ReadFile(filepath.Join(home, embedded.ConfigFile))
	write(embedded.ConfigFile, string(cfg)+"\nstaging:\n  enabled: true\n")
	dep, err := LoadDeployment(home, quiet)
	if err != nil {
		t.Fatal(err)
	}

	st, endpoint := newStoreAt(t)
	awsCfg := awsemu.Config(endpoint)
	iocTable := "sa-iocs-" + strconv.FormatInt(tableN.Add(1), 10)
	createIOCTable(t, ctx, ddb.NewFromConfig(awsCfg), iocTable, map[string]string{"203.0.113.77": "ip"})

	// A staging table that knows every rule but watched_call: that one is
	// new to this deployment, so the sandbox stages it when it starts.
	err = st.Staging().Update(ctx, func(states map[string]staging.State) error {
		for _, r := range []string{"known_bad_address", "broken_rule", "cloudtrail_root_activity", "cloudtrail_logging_stopped",
			"cloudtrail_console_login_without_mfa", "cloudtrail_access_key_created", "cloudtrail_public_bucket_policy"} {
			states[r] = staging.State{Rule: r}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	det, err := dep.Detection(ctx, DetectionOptions{AWS: awsCfg, IOCTable: iocTable, Staging: st.Staging(), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dep.Rules(quiet, det.Options)
	if err != nil {
		t.Fatal(err)
	}
	if err := det.Sync(ctx, engine); err != nil {
		t.Fatal(err)
	}
	h, err := NewRules(RulesOptions{Rules: engine, Store: st, Detection: det, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	q := newFakeSQS(t, "classified", "deadletter")
	c := newClassifierHandler(t, dep, q)
	if _, err := c.Kinesis(ctx, kinesisEvent("sa_sample", sampleLines(t, dep)...)); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(ctx, q.take("classified"))
	if err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("rules: %v %v", resp, err)
	}

	list, err := st.List(ctx, store.ListRequest{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]*alert.Alert{}
	for _, a := range list.Alerts {
		byRule[a.RuleName] = append(byRule[a.RuleName], a)
	}
	if n := len(byRule["known_bad_address"]); n != 2 {
		t.Errorf("known_bad_address fired %d times, want 2 (the records from the IOC address)", n)
	}
	watched := byRule["watched_call"]
	if len(watched) != 1 || !watched[0].Staged || len(watched[0].Outputs) != 0 {
		t.Errorf("watched_call alerts = %+v, want one staged alert with no outputs", watched)
	}
	if n := len(byRule["broken_rule"]); n != 0 {
		t.Errorf("broken_rule fired %d times", n)
	}
	errs := byRule[rules.ErrorAlertRule]
	if len(errs) != 1 || !slices.Equal(errs[0].Outputs, []string{"file:sample"}) {
		t.Fatalf("rule error alerts = %+v, want one to file:sample", errs)
	}
	if a := errs[0]; !strings.Contains(string(a.Record), `"rule":"broken_rule"`) {
		t.Errorf("rule error alert names no rule: %s", a.Record)
	}
	states, err := st.Staging().Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := states["watched_call"]; !s.Staged || s.Alerts != 1 {
		t.Errorf("watched_call staging state = %+v, want staged with 1 alert counted", s)
	}
}

// createIOCTable makes an IOC table as the threat intel downloader
// writes it, holding iocs (value → type), valid for a day.
func createIOCTable(t *testing.T, ctx context.Context, client *ddb.Client, name string, iocs map[string]string) {
	t.Helper()
	_, err := client.CreateTable(ctx, &ddb.CreateTableInput{
		TableName:            &name,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: awssdk.String("ioc_value"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: awssdk.String("ioc_value"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	for {
		out, err := client.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	exp := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10)
	for v, typ := range iocs {
		_, err := client.PutItem(ctx, &ddb.PutItemInput{TableName: &name, Item: map[string]types.AttributeValue{
			"ioc_value": &types.AttributeValueMemberS{Value: v}, "ioc_type": &types.AttributeValueMemberS{Value: typ},
			"sub_type": &types.AttributeValueMemberS{Value: "mal_ip"}, "source": &types.AttributeValueMemberS{Value: "test feed"},
			"expiration_ts": &types.AttributeValueMemberN{Value: exp},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
}
