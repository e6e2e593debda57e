package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/host/secrets/ssm"
	"github.com/streamalert-go/sa/host/threatintel"
	"github.com/streamalert-go/sa/internal/awsemu"
	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Names of the app fixtures' resources.
const (
	appName        = "local_logs"
	classifierName = "sa_sample_streamalert_classifier"
	selfName       = "sa_sample_streamalert_app_local_logs"
	secretsPrefix  = "/sa/secrets"
	statePrefix    = "/sa/state"
	secretsKey     = "alias/sa_streamalert_secrets"
	stateParam     = statePrefix + "/app/" + appName
)

// appFixture is an app function's world: a deployment whose sa.yaml has
// the file app local_logs reading dir, awsfake standing in for SSM and
// Lambda, and the options of a handler over them.
type appFixture struct {
	dep  *Deployment
	fake *awsfake.Server
	dir  string
	opts AppOptions
}

// newAppFixture writes the deployment: the sample home, its cluster
// listing the app, and an apps entry with settings (YAML lines of the
// app's config). The file path is a credential, kept in SSM.
func newAppFixture(t testing.TB, settings ...string) *appFixture {
	t.Helper()
	home := t.TempDir()
	if _, err := embedded.Init(context.Background(), home, embedded.InitOptions{PluginDirs: []string{fileApp(t)}}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, "conf", "clusters", "sample.json"),
		`{"id": "sample", "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}, "streamalert_app": {"local_logs": ["cloudtrail"]}}}`)
	cfg, err := os.ReadFile(filepath.Join(home, embedded.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	entry := "\napps:\n  - name: local_logs\n    cluster: sample\n    plugin: file\n    schedule: rate(5 minutes)\n    config:\n"
	for _, s := range append([]string{"pattern: '*.log'"}, settings...) {
		entry += "      " + s + "\n"
	}
	writeFile(t, filepath.Join(home, embedded.ConfigFile), string(cfg)+entry)
	dep, err := LoadDeployment(home, quiet)
	if err != nil {
		t.Fatal(err)
	}
	f := &appFixture{dep: dep, fake: awsfake.New(t), dir: t.TempDir()}
	f.fake.AddKMSKey(secretsKey)
	f.fake.AddFunction(classifierName)
	f.fake.AddFunction(selfName)
	cfgAWS := fakeConfig(f.fake)
	store, err := ssm.New(awsssm.NewFromConfig(cfgAWS), ssm.Options{Prefix: secretsPrefix, KMSKeyID: secretsKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(context.Background(), "app/file/"+appName, secrets.Value{"path": schema.Secret(f.dir)}); err != nil {
		t.Fatal(err)
	}
	f.opts = AppOptions{
		Deployment: dep, App: appName, SSM: awsssm.NewFromConfig(cfgAWS), SecretsPrefix: secretsPrefix, KMSKey: secretsKey,
		Lambda: lambda.NewFromConfig(cfgAWS), Classifier: classifierName, Self: selfName, Log: quiet,
	}
	return f
}

// fileApp builds the file app plugin and registers it in a plugin
// directory, as a deployment package carries it.
func fileApp(t testing.TB) string {
	t.Helper()
	bin := testbin.Build(t, "plugins/app/file")
	dst := filepath.Join(t.TempDir(), "sa-app-file", "sa-app-file")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := pluginhost.Register(context.Background(), dst, nil, quiet); err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(dst))
}

// fakeConfig is an AWS configuration for awsfake, trusting its
// certificate, with the SDK's retries off so faults show at once.
func fakeConfig(s *awsfake.Server) awssdk.Config {
	return awssdk.Config{
		Region: awsfake.Region, BaseEndpoint: awssdk.String(s.URL), HTTPClient: s.Client(), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(awsfake.AccessKeyID, awsfake.SecretKey, ""),
	}
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendLines appends lines to the file app's log file.
func (f *appFixture) appendLines(t testing.TB, lines ...string) {
	t.Helper()
	fh, err := os.OpenFile(filepath.Join(f.dir, "app.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	for _, l := range lines {
		if _, err := fh.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// handler builds the app function's handler on a fresh plugin host, as a
// new Lambda sandbox does.
func (f *appFixture) handler(t testing.TB) *AppHandler {
	t.Helper()
	o := f.opts
	o.Plugins = f.dep.Plugins(quiet)
	t.Cleanup(o.Plugins.Close)
	h, err := NewApp(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// invoke runs one invocation with Lambda's deadline d from now.
func invoke(t testing.TB, h *AppHandler, d time.Duration, event string) (AppResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return h.Invoke(ctx, json.RawMessage(event))
}

// scheduled is the event EventBridge delivers on the app's schedule.
const scheduled = `{"version":"0","id":"89d1a02d-5ec7-412e-82f5-13505f849b41","detail-type":"Scheduled Event","source":"aws.events",` +
	`"account":"123456789012","time":"2026-11-01T09:05:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/sa"],"detail":{}}`

// sent decodes the classifier events sent since call number from: each
// event's logs, as the classifier reads them.
func (f *appFixture) sent(t *testing.T, from int) (events [][]string, raw [][]byte) {
	t.Helper()
	for _, c := range f.fake.Calls("Invoke")[from:] {
		if !strings.Contains(c.Path, "/functions/"+classifierName+"/") || c.Fault != 0 {
			continue
		}
		if c.Header.Get("X-Amz-Invocation-Type") != "Event" {
			t.Errorf("classifier invoked as %q, want Event", c.Header.Get("X-Amz-Invocation-Type"))
		}
		var ev struct {
			Records []struct {
				App  string            `json:"streamalert_app"`
				Logs []json.RawMessage `json:"logs"`
			}
		}
		if err := json.Unmarshal(c.Body, &ev); err != nil || len(ev.Records) != 1 || ev.Records[0].App != appName {
			t.Fatalf("classifier event %.200s: %v", c.Body, err)
		}
		var logs []string
		for _, l := range ev.Records[0].Logs {
			var s string
			if json.Unmarshal(l, &s) != nil {
				s = string(l)
			}
			logs = append(logs, s)
		}
		events, raw = append(events, logs), append(raw, c.Body)
	}
	return events, raw
}

func flat(events [][]string) []string {
	var out []string
	for _, e := range events {
		out = append(out, e...)
	}
	return out
}

func lines(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %04d", prefix, i)
	}
	return out
}

// TestAppResumes: each invocation sends what was added since the state
// saved in SSM, nothing twice and nothing lost, also from a new sandbox;
// the state is a SecureString under the secrets key, written once per
// batch; the file path comes from the app's credentials.
func TestAppResumes(t *testing.T) {
	f := newAppFixture(t, "batch_size: 2")
	f.appendLines(t, lines("first", 5)...)
	h := f.handler(t)
	res, err := invoke(t, h, time.Minute, scheduled)
	if err != nil {
		t.Fatal(err)
	}
	if got := flat(mustSent(t, f, 0)); !slices.Equal(got, lines("first", 5)) {
		t.Fatalf("sent %q, want the 5 lines", got)
	}
	if res.Batches != 3 || res.Logs != 5 || res.Payloads != 3 || res.Continued || res.Successive {
		t.Errorf("result %+v, want 3 batches of 5 logs in 3 events", res)
	}
	p, ok := f.fake.Parameter(stateParam)
	if !ok || p.Type != "SecureString" || p.KeyID != secretsKey || !strings.HasPrefix(p.Value, "b64:") {
		t.Fatalf("state parameter %+v, want a SecureString under %s", p, secretsKey)
	}
	puts := f.fake.Calls("PutParameter")
	if len(puts) != 1+3 { // the credential, then a state per batch
		t.Errorf("%d PutParameter calls, want the credential's and one per batch", len(puts))
	}
	for _, c := range puts[1:] {
		if c.String("Name") != stateParam || c.Get("Overwrite") != true || c.String("Type") != "SecureString" || c.String("KeyId") != secretsKey {
			t.Errorf("state written with %s", c.Body)
		}
	}
	gets := f.fake.Calls("GetParameter")
	if len(gets) != 2 || gets[0].String("Name") != stateParam || gets[1].String("Name") != secretsPrefix+"/app/file/"+appName ||
		gets[1].Get("WithDecryption") != true {
		t.Errorf("GetParameter calls %v, want the state's and the credential's, decrypted", gets)
	}

	// Nothing new: nothing sent, the state not written again.
	before := len(f.fake.Calls("Invoke"))
	if res, err := invoke(t, h, time.Minute, scheduled); err != nil || res.Logs != 0 || len(f.fake.Calls("Invoke")) != before {
		t.Fatalf("idle invocation: %+v %v", res, err)
	}
	if n := len(f.fake.Calls("PutParameter")); n != 4 {
		t.Errorf("idle invocation wrote the state: %d PutParameter calls", n)
	}

	// New lines, read by a new sandbox from the state in SSM.
	f.appendLines(t, lines("second", 3)...)
	before = len(f.fake.Calls("Invoke"))
	if _, err := invoke(t, f.handler(t), time.Minute, scheduled); err != nil {
		t.Fatal(err)
	}
	if got := flat(mustSent(t, f, before)); !slices.Equal(got, lines("second", 3)) {
		t.Errorf("second sandbox sent %q, want only the 3 new lines", got)
	}
}

func mustSent(t *testing.T, f *appFixture, from int) [][]string {
	t.Helper()
	events, _ := f.sent(t, from)
	return events
}

// TestAppPayloadSplit: a batch bigger than one event is sent in events
// of at most MaxAppPayload bytes, in order; a log too big for any event
// goes to the dead letter queue, or fails the poll without one, sending
// nothing and saving no state.
func TestAppPayloadSplit(t *testing.T) {
	logs := make([]string, 20)
	for i := range logs {
		logs[i] = fmt.Sprintf("%02d %s", i, strings.Repeat("x", 30<<10))
	}
	huge := "huge " + strings.Repeat("y", 300<<10)

	t.Run("split", func(t *testing.T) {
		f := newAppFixture(t, "batch_size: 100")
		f.appendLines(t, logs...)
		res, err := invoke(t, f.handler(t), time.Minute, scheduled)
		if err != nil {
			t.Fatal(err)
		}
		events, raw := f.sent(t, 0)
		if got := flat(events); !slices.Equal(got, logs) {
			t.Fatalf("sent %d logs, want the 20 in order", len(got))
		}
		if len(events) < 3 || res.Payloads != len(events) {
			t.Errorf("%d events (result %d) for 600 KiB of logs", len(events), res.Payloads)
		}
		for i, b := range raw {
			if len(b) > MaxAppPayload {
				t.Errorf("event %d is %d bytes, over %d", i, len(b), MaxAppPayload)
			}
			if i < len(raw)-1 && len(b)+30<<10 < MaxAppPayload {
				t.Errorf("event %d is %d bytes: the next log would have fit", i, len(b))
			}
		}
	})

	t.Run("dead letter", func(t *testing.T) {
		f := newAppFixture(t, "batch_size: 100")
		q := newFakeSQS(t, "deadletter")
		f.opts.DeadLetter = QueueDeadLetter{SQS: q.client(), Queue: q.url("deadletter")}
		f.appendLines(t, logs[0], huge, logs[1])
		res, err := invoke(t, f.handler(t), time.Minute, scheduled)
		if err != nil {
			t.Fatal(err)
		}
		if got := flat(mustSent(t, f, 0)); !slices.Equal(got, logs[:2]) || res.DeadLetters != 1 {
			t.Errorf("sent %d logs, %d dead letters; want the 2 that fit and 1", len(got), res.DeadLetters)
		}
		dead := deadIn(t, q.take("deadletter"))
		if len(dead) != 1 || dead[0].Resource != appName || dead[0].Service != "streamalert_app" || dead[0].Cluster != "sample" ||
			dead[0].Size != len(huge) || !strings.HasPrefix(string(dead[0].Raw), "huge yyy") || !strings.Contains(dead[0].Reason, "too big") {
			t.Errorf("dead letter entries %+v", dead)
		}
		if _, ok := f.fake.Parameter(stateParam); !ok {
			t.Error("state not saved after the batch was kept")
		}
	})

	t.Run("no dead letter queue", func(t *testing.T) {
		f := newAppFixture(t, "batch_size: 100")
		f.appendLines(t, logs[0], huge)
		_, err := invoke(t, f.handler(t), time.Minute, scheduled)
		if err == nil || !strings.Contains(err.Error(), "app local_logs") || !strings.Contains(err.Error(), "dead letter queue") {
			t.Fatalf("error %v, want one naming the app and the missing dead letter queue", err)
		}
		if n := len(f.fake.Calls("Invoke")); n != 0 {
			t.Errorf("%d events sent for a batch that failed", n)
		}
		if _, ok := f.fake.Parameter(stateParam); ok {
			t.Error("state saved for a batch that failed")
		}
	})
}

// TestAppFailures: a refused Invoke or state write fails the invocation
// with an error naming the function or parameter and leaves the saved
// state where it was; the next invocation sends what was not saved.
func TestAppFailures(t *testing.T) {
	f := newAppFixture(t, "batch_size: 2")
	h := f.handler(t)
	f.appendLines(t, lines("a", 2)...)
	if _, err := invoke(t, h, time.Minute, scheduled); err != nil {
		t.Fatal(err)
	}
	saved, _ := f.fake.Parameter(stateParam)

	f.appendLines(t, lines("b", 4)...)
	f.fake.Fail("Invoke", 1, awsfake.AccessDenied)
	_, err := invoke(t, h, time.Minute, scheduled)
	if err == nil || !strings.Contains(err.Error(), "app local_logs") || !strings.Contains(err.Error(), "invoke "+classifierName) ||
		!strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("error %v, want one naming the app, the classifier and the AWS error", err)
	}
	if p, _ := f.fake.Parameter(stateParam); p.Version != saved.Version || p.Value != saved.Value {
		t.Fatalf("state moved (version %d → %d) past a batch not sent", saved.Version, p.Version)
	}

	// The state write fails after the batch was sent: the batch is sent
	// again, never lost.
	f.fake.Fail("PutParameter", 1, awsfake.AccessDenied)
	before := len(f.fake.Calls("Invoke"))
	_, err = invoke(t, h, time.Minute, scheduled)
	if err == nil || !strings.Contains(err.Error(), "parameter "+stateParam) || !strings.Contains(err.Error(), "PutParameter") {
		t.Fatalf("error %v, want one naming the state parameter", err)
	}
	if got := flat(mustSent(t, f, before)); !slices.Equal(got, lines("b", 2)) {
		t.Errorf("sent %q before the state write failed, want the first batch", got)
	}
	before = len(f.fake.Calls("Invoke"))
	if _, err := invoke(t, h, time.Minute, scheduled); err != nil {
		t.Fatal(err)
	}
	if got := flat(mustSent(t, f, before)); !slices.Equal(got, lines("b", 4)) {
		t.Errorf("after the failures sent %q, want all 4 lines not saved", got)
	}

	// A corrupt state parameter stops the app with an error naming it.
	f.fake.SetParameter(stateParam, "SecureString", "not a state")
	if _, err := invoke(t, h, time.Minute, scheduled); err == nil || !strings.Contains(err.Error(), "parameter "+stateParam) {
		t.Errorf("corrupt state: %v", err)
	}
}

// TestAppSuccessive: a backlog the budget cannot cover ends each
// invocation with a self-invocation carrying {"invocation_type":
// "successive"}; following them sends every line exactly once, in order.
func TestAppSuccessive(t *testing.T) {
	f := newAppFixture(t, "batch_size: 1")
	f.opts.Reserve = time.Second
	want := lines("backlog", 2000)
	f.appendLines(t, want...)
	h := f.handler(t)
	event, rounds := scheduled, 0
	for ; rounds < 100; rounds++ {
		calls := len(f.fake.Calls("Invoke"))
		res, err := invoke(t, h, 1500*time.Millisecond, event)
		if err != nil {
			t.Fatalf("round %d: %v", rounds, err)
		}
		if res.Successive != (rounds > 0) {
			t.Errorf("round %d: successive %v", rounds, res.Successive)
		}
		var self []awsfake.Call
		for _, c := range f.fake.Calls("Invoke")[calls:] {
			if strings.Contains(c.Path, "/functions/"+selfName+"/") {
				self = append(self, c)
			}
		}
		if !res.Continued {
			if len(self) != 0 {
				t.Errorf("round %d invoked itself without saying so", rounds)
			}
			break
		}
		if len(self) != 1 || string(self[0].Body) != `{"invocation_type":"successive"}` || self[0].Header.Get("X-Amz-Invocation-Type") != "Event" {
			t.Fatalf("round %d: self-invocations %d, want one successive event", rounds, len(self))
		}
		event = string(self[0].Body)
	}
	if rounds == 0 {
		t.Fatal("the first invocation covered the backlog; the test needs one it cannot")
	}
	t.Logf("%d lines in %d invocations", len(want), rounds+1)
	got := flat(mustSent(t, f, 0))
	if !slices.Equal(got, want) {
		t.Errorf("sent %d lines over %d invocations, want the %d once each in order", len(got), rounds+1, len(want))
	}
}

// TestAppClassified: the events the app function sends classify in the
// real classifier handler as CloudTrail from the app's source.
func TestAppClassified(t *testing.T) {
	f := newAppFixture(t)
	samples := sampleLines(t, f.dep)
	for _, l := range samples {
		f.appendLines(t, string(l))
	}
	if _, err := invoke(t, f.handler(t), time.Minute, scheduled); err != nil {
		t.Fatal(err)
	}
	_, raw := f.sent(t, 0)
	q := newFakeSQS(t, "classified", "deadletter")
	c := newClassifierHandler(t, f.dep, q)
	for _, ev := range raw {
		if _, err := c.Invoke(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	msgs := messagesIn(t, q.take("classified"))
	if len(msgs) < len(samples) {
		t.Fatalf("%d classified records from %d CloudTrail lines", len(msgs), len(samples))
	}
	for _, m := range msgs {
		if m.LogType != "cloudtrail:events" || m.Service != "streamalert_app" || m.Resource != appName || m.Cluster != "sample" {
			t.Errorf("message %+v", m)
		}
	}
	if dead := deadIn(t, q.take("deadletter")); len(dead) != 0 {
		t.Errorf("%d records not classified: %+v", len(dead), dead[0])
	}
}

// TestAppThreatIntel: a threat intel feed app's IOC records go to the IOC
// table, not to the classifier; what is not an IOC is skipped.
func TestAppThreatIntel(t *testing.T) {
	client := ddb.NewFromConfig(awsemu.Config(awsemu.Dynalite(t)))
	_, err := client.CreateTable(context.Background(), &ddb.CreateTableInput{
		TableName: awssdk.String("sa_iocs"), BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: awssdk.String("ioc_value"), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: awssdk.String("ioc_value"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := newAppFixture(t, "batch_size: 2")
	f.dep.Config.Apps[0].Sink = embedded.SinkThreatIntel
	w, err := threatintel.NewDynamoWriter(client, threatintel.DynamoWriterOptions{Table: "sa_iocs", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f.opts.IOC, f.opts.Classifier = w, ""
	exp := time.Now().Add(24 * time.Hour).Unix()
	f.appendLines(t,
		fmt.Sprintf(`{"ioc_value":"198.51.100.7","ioc_type":"ip","sub_type":"mal_ip","source":"crowdstrike","expiration_ts":%d}`, exp),
		fmt.Sprintf(`{"ioc_value":"Evil.Example","ioc_type":"domain","sub_type":"c2_domain","source":"crowdstrike","expiration_ts":%d}`, exp),
		"not an ioc",
	)
	res, err := invoke(t, f.handler(t), time.Minute, scheduled)
	if err != nil {
		t.Fatal(err)
	}
	if res.IOCs != 2 || res.Logs != 3 || res.Payloads != 0 || len(f.fake.Calls("Invoke")) != 0 {
		t.Errorf("result %+v with %d invocations, want 2 IOCs written and nothing sent", res, len(f.fake.Calls("Invoke")))
	}
	out, err := client.GetItem(context.Background(), &ddb.GetItemInput{TableName: awssdk.String("sa_iocs"),
		Key: map[string]ddbtypes.AttributeValue{"ioc_value": &ddbtypes.AttributeValueMemberS{Value: "evil.example"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("IOC evil.example not in the table: %v", err)
	}
	if typ := out.Item["ioc_type"].(*ddbtypes.AttributeValueMemberS).Value; typ != "domain" {
		t.Errorf("ioc_type %q", typ)
	}
	if _, ok := f.fake.Parameter(stateParam); !ok {
		t.Error("state not saved")
	}
}

// TestNewAppRefuses: a handler that could not work is refused at build,
// naming what to fix.
func TestNewAppRefuses(t *testing.T) {
	f := newAppFixture(t)
	plugins := f.dep.Plugins(quiet)
	t.Cleanup(plugins.Close)
	tests := []struct {
		name string
		edit func(o *AppOptions, a *embedded.App)
		want string
	}{
		{"unknown app", func(o *AppOptions, _ *embedded.App) { o.App = "nope" }, `app "nope" is not in sa.yaml's apps (apps: local_logs)`},
		{"no lambda client", func(o *AppOptions, _ *embedded.App) { o.Lambda = nil }, "Lambda"},
		{"plugin not packaged", func(_ *AppOptions, a *embedded.App) { a.Plugin = "duo" }, "plugin app.duo is not in the deployment package"},
		{"not in the conf", func(_ *AppOptions, a *embedded.App) { a.Name = "other" }, `no cluster's data_sources list streamalert_app "other"`},
		{"other cluster", func(_ *AppOptions, a *embedded.App) { a.Cluster = "prod" }, `conf/clusters/sample.json lists streamalert_app "local_logs", but sa.yaml puts the app in cluster "prod"`},
		{"no classifier", func(o *AppOptions, _ *embedded.App) { o.Classifier = "" }, "no classifier function"},
		{"feed without IOC table", func(_ *AppOptions, a *embedded.App) { a.Sink = embedded.SinkThreatIntel }, "sink threat_intel: no IOC table"},
		{"state among the secrets", func(o *AppOptions, _ *embedded.App) { o.StatePrefix = secretsPrefix }, "keep app state apart from the secrets"},
		{"bad state prefix", func(o *AppOptions, _ *embedded.App) { o.StatePrefix = "sa/state/" }, "state prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := f.opts
			o.Plugins = plugins
			cfg := *f.dep.Config
			cfg.Apps = slices.Clone(cfg.Apps)
			dep := *f.dep
			dep.Config = &cfg
			o.Deployment = &dep
			tt.edit(&o, &cfg.Apps[0])
			if o.App == appName {
				o.App = cfg.Apps[0].Name
			}
			if _, err := NewApp(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestStatePrefixFor(t *testing.T) {
	for in, want := range map[string]string{"/p/sa/secrets": "/p/sa/state", "/secrets": "/state", "/a/b": "/a/state"} {
		if got := StatePrefixFor(in); got != want {
			t.Errorf("StatePrefixFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStateEncoding: states round-trip; a large one is compressed to fit
// a parameter; one that cannot fit is an error, not a truncation.
func TestStateEncoding(t *testing.T) {
	random := make([]byte, 7000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name   string
		state  []byte
		prefix string
		fails  bool
	}{
		{"empty", nil, "b64:", false},
		{"json", []byte(`{"v":1,"files":{"/var/log/a.log":{"offset":123}}}`), "b64:", false},
		{"binary", []byte{0, 1, 2, 0xff}, "b64:", false},
		{"large and compressible", bytes.Repeat([]byte(`{"file":"/var/log/app.log","offset":12345},`), 300), "gz:", false},
		{"too large", random, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := encodeState(tt.state)
			if tt.fails {
				if err == nil {
					t.Fatalf("encoded %d bytes of noise into %d", len(tt.state), len(v))
				}
				return
			}
			if err != nil || !strings.HasPrefix(v, tt.prefix) || len(v) > maxStateValue {
				t.Fatalf("encodeState = %.20q (%d bytes), %v; want prefix %s", v, len(v), err, tt.prefix)
			}
			got, err := decodeState(v)
			if err != nil || !bytes.Equal(got, tt.state) {
				t.Errorf("round trip: %v", err)
			}
		})
	}
	for _, bad := range []string{"", "b64:***", "zz:AAAA", "gz:AAAA"} {
		if _, err := decodeState(bad); err == nil {
			t.Errorf("decodeState(%q) accepted", bad)
		}
	}
}

// TestAppNoSecretLeak: the credential values and the state never appear
// in the handler's logs or errors, failed calls included.
func TestAppNoSecretLeak(t *testing.T) {
	f := newAppFixture(t, "batch_size: 1")
	secret := f.dir // the credential: where the app reads
	logs := secrettest.NewWriter(t, []string{secret})
	f.opts.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.appendLines(t, "one", "two")
	h := f.handler(t)
	if _, err := invoke(t, h, time.Minute, scheduled); err != nil {
		t.Fatal(err)
	}
	p, _ := f.fake.Parameter(stateParam)
	state, err := decodeState(p.Value)
	if err != nil || !strings.Contains(string(state), secret) {
		t.Fatalf("the file app's state should name its file, to check it stays out of errors: %v", err)
	}
	f.appendLines(t, "three")
	var texts []string
	for _, op := range []string{"Invoke", "PutParameter", "GetParameter"} {
		f.fake.Fail(op, 1, awsfake.ServerError)
		_, err := invoke(t, h, time.Minute, scheduled)
		if err == nil {
			t.Fatalf("%s failed and the invocation did not", op)
		}
		texts = append(texts, secrettest.Render(err)...)
	}
	secrettest.AssertNoLeak(t, []string{secret, string(state)}, append(texts, logs.String())...)
}

// BenchmarkAppColdStart measures what a new sandbox of an app function
// pays: building the handler (reading the deployment package, checking
// the app), then its first invocation, which starts the plugin process,
// configures the instance with its credentials from SSM and loads the
// state; and, for comparison, a warm invocation. The app has nothing new
// to gather, so the figures are the fixed costs.
func BenchmarkAppColdStart(b *testing.B) {
	f := newAppFixture(b)
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			dep, err := LoadDeployment(f.dep.Home, quiet)
			if err != nil {
				b.Fatal(err)
			}
			o := f.opts
			o.Deployment, o.Plugins = dep, dep.Plugins(quiet)
			if _, err := NewApp(o); err != nil {
				b.Fatal(err)
			}
			o.Plugins.Close()
		}
	})
	b.Run("first invocation", func(b *testing.B) {
		for b.Loop() {
			o := f.opts
			o.Plugins = f.dep.Plugins(quiet)
			h, err := NewApp(o)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := invoke(b, h, time.Minute, scheduled); err != nil {
				b.Fatal(err)
			}
			o.Plugins.Close()
		}
	})
	b.Run("warm invocation", func(b *testing.B) {
		h := f.handler(b)
		if _, err := invoke(b, h, time.Minute, scheduled); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := invoke(b, h, time.Minute, scheduled); err != nil {
				b.Fatal(err)
			}
		}
	})
}
