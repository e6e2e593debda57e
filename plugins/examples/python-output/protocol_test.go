package pythonoutput_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// wantSchema is the schema the plugin must describe, in the SDK's terms.
var wantSchema = []schema.Property{
	{
		Name:           "path",
		Type:           schema.String,
		Description:    "File the alerts are appended to, one JSON line each",
		Required:       true,
		Example:        "/tmp/sa-python-example.jsonl",
		ForbiddenChars: "\n\x00",
	},
	{
		Name:        "api_token",
		Type:        schema.String,
		Description: "Token written as a keyed hash beside each alert, to show credentials reach plugins",
		Secret:      true,
		Credential:  true,
		Pattern:     `[A-Za-z0-9_-]{8,64}`,
		Example:     "example_token_123",
	},
}

func TestDescribe(t *testing.T) {
	c, _ := start(t)
	ctx := callCtx(t)
	if c.Version != 1 {
		t.Errorf("negotiated version %d, want 1", c.Version)
	}
	if err := c.Conn.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	resp, err := c.Conn.Describe(ctx, c.Version)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	wantInfo := &pluginv1.Info{
		Name:             "python-example",
		Kind:             pluginv1.Kind_KIND_OUTPUT,
		Version:          "0.1.0",
		ProtocolVersions: []int32{1},
		Capabilities:     &pluginv1.Capabilities{Instances: true, ValidateConfig: false},
		Description:      resp.GetInfo().GetDescription(),
	}
	if !proto.Equal(resp.GetInfo(), wantInfo) {
		t.Errorf("info = %v\nwant %v", resp.GetInfo(), wantInfo)
	}
	if resp.GetInfo().GetDescription() == "" {
		t.Error("empty description")
	}
	sc, err := saplugin.SchemaFromProto(resp.GetSchema())
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(); err != nil {
		t.Errorf("schema fails the SDK's check: %v", err)
	}
	if !reflect.DeepEqual(sc.Properties, wantSchema) {
		t.Errorf("schema = %#v\nwant %#v", sc.Properties, wantSchema)
	}
}

// TestValidateConfig checks the Python schema rules against the SDK's own
// Apply: the same configuration must give the same problems, word for word.
func TestValidateConfig(t *testing.T) {
	c, _ := start(t)
	sc := schema.Schema{Properties: wantSchema}
	const path = "/tmp/sa-python-example.jsonl"
	tokenProblem := []schema.Problem{{Field: "api_token", Message: "does not match pattern [A-Za-z0-9_-]{8,64}"}}
	tests := []struct {
		name string
		cfg  map[string]any
		want []schema.Problem
	}{
		{"path only", map[string]any{"path": path}, nil},
		{"path and token", map[string]any{"path": path, "api_token": token}, nil},
		{"missing path", map[string]any{}, []schema.Problem{{Field: "path", Message: "required"}}},
		{"empty path", map[string]any{"path": ""}, []schema.Problem{{Field: "path", Message: "required"}}},
		{"null path", map[string]any{"path": nil}, []schema.Problem{{Field: "path", Message: "required"}}},
		{"path not a string", map[string]any{"path": 42}, []schema.Problem{{Field: "path", Message: "must be a string"}}},
		{"newline in path", map[string]any{"path": "/tmp/a\nb"}, []schema.Problem{{Field: "path", Message: `may not contain any of "\n\x00"`}}},
		{"token too short", map[string]any{"path": path, "api_token": "tok_1"}, tokenProblem},
		{"token with a space", map[string]any{"path": path, "api_token": "tok 3b1f9a77c2d0"}, tokenProblem},
		// A pattern matches in full: "$" must not let a trailing newline by.
		{"token with a trailing newline", map[string]any{"path": path, "api_token": token + "\n"}, tokenProblem},
		{"token not a string", map[string]any{"path": path, "api_token": true}, []schema.Problem{{Field: "api_token", Message: "must be a string"}}},
		{"unknown properties", map[string]any{"path": path, "zeta": "1", "colour": "red"}, []schema.Problem{
			{Field: "colour", Message: "unknown property"},
			{Field: "zeta", Message: "unknown property"},
		}},
		{"everything wrong", map[string]any{"api_token": "x", "extra": 1}, []schema.Problem{
			{Field: "path", Message: "required"},
			{Field: "api_token", Message: "does not match pattern [A-Za-z0-9_-]{8,64}"},
			{Field: "extra", Message: "unknown property"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validate(t, c, tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
			if _, sdk := sc.Apply(tt.cfg); !reflect.DeepEqual(got, sdk) && !(len(got) == 0 && len(sdk) == 0) {
				t.Errorf("problems = %v, the SDK's Apply gives %v", got, sdk)
			}
			if v, ok := tt.cfg["api_token"].(string); ok && len(v) > 4 {
				for _, p := range got {
					if strings.Contains(p.Message, v) {
						t.Errorf("problem %v quotes the token", p)
					}
				}
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	c, _ := start(t)
	dir := t.TempDir()

	if _, err := configure(t, c, "", map[string]any{"path": filepath.Join(dir, "x")}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("empty instance name: got %v, want InvalidArgument", err)
	}

	problems, err := configure(t, c, "bad", map[string]any{"api_token": token})
	if err != nil || len(problems) != 1 || problems[0].Field != "path" {
		t.Errorf("configure without path: problems %v, error %v; want one problem on path", problems, err)
	}
	if _, err := send(t, c, "bad", `{"id":"1"}`, ""); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("send to a rejected instance: got %v, want FailedPrecondition", err)
	}

	// Configuring again replaces the instance's configuration.
	first, second := filepath.Join(dir, "first.jsonl"), filepath.Join(dir, "second.jsonl")
	mustConfigure(t, c, "soc", map[string]any{"path": first})
	mustConfigure(t, c, "soc", map[string]any{"path": second})
	mustDeliver(t, c, "soc", `{"id":"1"}`, "")
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the replaced path was written to (stat: %v)", err)
	}
	if n := len(readLines(t, second)); n != 1 {
		t.Errorf("%d lines in the new path, want 1", n)
	}
}

// line is what the plugin appends per alert.
type line struct {
	Instance    string          `json:"instance"`
	Alert       json.RawMessage `json:"alert"`
	Publication json.RawMessage `json:"publication"`
	TokenHMAC   *string         `json:"token_hmac"`
}

func TestSend(t *testing.T) {
	c, stderr := start(t)
	dir := t.TempDir()
	mustConfigure(t, c, "soc", map[string]any{"path": filepath.Join(dir, "soc.jsonl"), "api_token": token})
	mustConfigure(t, c, "plain", map[string]any{"path": filepath.Join(dir, "plain.jsonl")})

	const alert = `{"id":"a1","rule_name":"root_login","record":{"n":1.5,"big":12345678901234567890,"s":"é\n\u2028"}}`
	const pub = `{"title":"Root login"}`
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte(alert))
	wantHMAC := hex.EncodeToString(mac.Sum(nil))

	tests := []struct {
		instance, publication string
		wantPublication       string
		wantHMAC              *string
	}{
		{"soc", pub, pub, &wantHMAC},
		{"plain", "", "null", nil},
	}
	for _, tt := range tests {
		t.Run(tt.instance, func(t *testing.T) {
			mustDeliver(t, c, tt.instance, alert, tt.publication)
			lines := readLines(t, filepath.Join(dir, tt.instance+".jsonl"))
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1", len(lines))
			}
			var got line
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatalf("line %q: %v", lines[0], err)
			}
			if got.Instance != tt.instance {
				t.Errorf("instance = %q, want %q", got.Instance, tt.instance)
			}
			jsonEqual(t, "alert", got.Alert, alert)
			jsonEqual(t, "publication", got.Publication, tt.wantPublication)
			if !reflect.DeepEqual(got.TokenHMAC, tt.wantHMAC) {
				t.Errorf("token_hmac = %v, want %v", deref(got.TokenHMAC), deref(tt.wantHMAC))
			}
		})
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("the plugin's log contains the token")
	}
}

func TestSendFailures(t *testing.T) {
	c, stderr := start(t)
	dir := t.TempDir()
	mustConfigure(t, c, "soc", map[string]any{"path": filepath.Join(dir, "soc.jsonl"), "api_token": token})
	mustConfigure(t, c, "broken", map[string]any{"path": filepath.Join(dir, "missing", "soc.jsonl"), "api_token": token})

	tests := []struct {
		name, instance, alert, publication string
		wantCode                           codes.Code
		wantMessage                        string
	}{
		{"unknown instance", "nope", `{"id":"1"}`, "", codes.FailedPrecondition, `instance "nope" is not configured`},
		{"truncated alert", "soc", `{"id":`, "", codes.InvalidArgument, "alert is not valid JSON"},
		{"empty alert", "soc", "", "", codes.InvalidArgument, "alert is not valid JSON"},
		{"NaN in alert", "soc", `{"n":NaN}`, "", codes.InvalidArgument, "alert is not valid JSON"},
		{"alert not UTF-8", "soc", "\"\xff\"", "", codes.InvalidArgument, "alert is not valid JSON"},
		{"bad publication", "soc", `{"id":"1"}`, `{`, codes.InvalidArgument, "publication is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := send(t, c, tt.instance, tt.alert, tt.publication)
			if s := status.Convert(err); s.Code() != tt.wantCode || s.Message() != tt.wantMessage {
				t.Errorf("got %v, want %v %q", err, tt.wantCode, tt.wantMessage)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "soc.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a rejected alert was written (stat: %v)", err)
	}

	t.Run("unwritable path is retryable", func(t *testing.T) {
		resp, err := send(t, c, "broken", `{"id":"1"}`, "")
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetStatus() != pluginv1.SendStatus_SEND_STATUS_RETRYABLE {
			t.Errorf("status = %v, want RETRYABLE", resp.GetStatus())
		}
		if !strings.Contains(resp.GetMessage(), "No such file or directory") || strings.Contains(resp.GetMessage(), token) {
			t.Errorf("message %q should name the error and not the token", resp.GetMessage())
		}
	})
	if strings.Contains(stderr.String(), token) {
		t.Error("the plugin's log contains the token")
	}
}

// TestSendConcurrent checks that sends in flight together each leave one
// whole line, as the host keeps many sends in flight.
func TestSendConcurrent(t *testing.T) {
	c, _ := start(t)
	path := filepath.Join(t.TempDir(), "soc.jsonl")
	mustConfigure(t, c, "soc", map[string]any{"path": path})
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			mustDeliver(t, c, "soc", fmt.Sprintf(`{"id":"%d","pad":%q}`, i, strings.Repeat("x", 8<<10)), "")
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, l := range readLines(t, path) {
		var got struct {
			Alert struct{ ID string } `json:"alert"`
		}
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("torn line: %v", err)
		}
		seen[got.Alert.ID] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct alerts in the file, want %d", len(seen), n)
	}
}

func validate(t *testing.T, c *saplugin.Client, cfg map[string]any) []schema.Problem {
	t.Helper()
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Conn.Base.ValidateConfig(callCtx(t), &pluginv1.ValidateConfigRequest{Config: st})
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	if len(resp.GetProblems()) == 0 {
		return nil
	}
	return saplugin.ProblemsFromProto(resp.GetProblems())
}

func configure(t *testing.T, c *saplugin.Client, instance string, cfg map[string]any) ([]schema.Problem, error) {
	t.Helper()
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Conn.Base.Configure(callCtx(t), &pluginv1.ConfigureRequest{Instance: instance, Config: st})
	if err != nil {
		return nil, err
	}
	return saplugin.ProblemsFromProto(resp.GetProblems()), nil
}

func mustConfigure(t *testing.T, c *saplugin.Client, instance string, cfg map[string]any) {
	t.Helper()
	if problems, err := configure(t, c, instance, cfg); err != nil || len(problems) > 0 {
		t.Fatalf("configure %s: problems %v, error %v", instance, problems, err)
	}
}

func send(t *testing.T, c *saplugin.Client, instance, alert, publication string) (*pluginv1.SendResponse, error) {
	t.Helper()
	return c.Conn.Output.Send(callCtx(t), &pluginv1.SendRequest{
		Instance:        instance,
		AlertJson:       []byte(alert),
		PublicationJson: []byte(publication),
	})
}

func mustDeliver(t *testing.T, c *saplugin.Client, instance, alert, publication string) {
	t.Helper()
	resp, err := send(t, c, instance, alert, publication)
	if err != nil {
		t.Errorf("send to %s: %v", instance, err)
		return
	}
	if resp.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Errorf("send to %s: %v %q, want DELIVERED", instance, resp.GetStatus(), resp.GetMessage())
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// jsonEqual compares two JSON texts by value, keeping big integers exact.
func jsonEqual(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	decode := func(b []byte) any {
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %q: %v", what, b, err)
		}
		return v
	}
	if g, w := decode(got), decode([]byte(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
