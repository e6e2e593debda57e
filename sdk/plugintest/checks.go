package plugintest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// session runs the protocol checks over one connection.
type session struct {
	r       *Report
	conn    *saplugin.Conn
	version int
	timeout time.Duration
	kind    saplugin.Kind
	schema  schema.Schema
}

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
)

// conformanceInstance is the instance name the harness configures.
const conformanceInstance = "sa-conformance"

func (s *session) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, s.timeout)
}

func (s *session) run(ctx context.Context) {
	s.r.add("negotiates a protocol version the SDK speaks", s.checkVersion())
	s.r.add("health service reports SERVING for \"plugin\"", s.checkHealth(ctx))
	if !s.r.add("Describe is well formed", s.checkDescribe(ctx)) {
		return
	}
	s.r.add("GRPCStdio stream is served", s.checkStdio(ctx))
	s.r.add("every required property has an example or default", s.checkExamples())
	s.r.add("ValidateConfig names every missing required property", s.checkMissing(ctx))
	s.r.add("ValidateConfig rejects an unknown property by name", s.checkUnknown(ctx))
	s.r.add("ValidateConfig accepts the schema's examples", s.checkValid(ctx))
	if s.hasSecrets() {
		s.r.add("problems never quote secret values", s.checkSecretMasking(ctx))
	} else {
		s.r.skip("problems never quote secret values", "no secret properties")
	}
	s.r.add("Configure stores an instance and rejects an empty name", s.checkConfigure(ctx))
	switch s.kind {
	case saplugin.KindParser:
		s.r.add("Parse answers once per record, in order, even for garbage", s.checkParse(ctx))
	case saplugin.KindOutput:
		s.r.add("Send to an unconfigured instance fails cleanly", s.checkSendUnconfigured(ctx))
	case saplugin.KindApp:
		s.r.add("Gather on an unconfigured instance fails cleanly", s.checkGatherUnconfigured(ctx))
	}
}

func (s *session) checkVersion() error {
	if !slices.Contains(saplugin.ProtocolVersions, s.version) {
		return fmt.Errorf("negotiated version %d, the SDK speaks %v", s.version, saplugin.ProtocolVersions)
	}
	return nil
}

func (s *session) checkHealth(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.conn.Ping(ctx)
}

func (s *session) checkDescribe(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	resp, err := s.conn.Describe(ctx, s.version)
	if err != nil {
		return err
	}
	info := resp.GetInfo()
	var errs []error
	if !nameRE.MatchString(info.GetName()) {
		errs = append(errs, fmt.Errorf("name %q: want lower-case letters, digits, '-' and '_'", info.GetName()))
	}
	s.kind = saplugin.KindFromProto(info.GetKind())
	if s.kind == "" {
		errs = append(errs, fmt.Errorf("kind %v is not parser, output or app", info.GetKind()))
	}
	if !versionRE.MatchString(info.GetVersion()) {
		errs = append(errs, fmt.Errorf("version %q is not a semantic version", info.GetVersion()))
	}
	if !slices.Contains(info.GetProtocolVersions(), int32(s.version)) {
		errs = append(errs, fmt.Errorf("protocol_versions %v omit the negotiated %d", info.GetProtocolVersions(), s.version))
	}
	sc, err := saplugin.SchemaFromProto(resp.GetSchema())
	if err == nil {
		err = sc.Check()
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("schema: %w", err))
	}
	s.schema = sc
	s.r.Plugin, s.r.Version = string(s.kind)+"."+info.GetName(), info.GetVersion()
	return errors.Join(errs...)
}

// checkStdio opens go-plugin's stdio stream, which hosts connect to at
// start: a plugin that leaves it unimplemented fills host logs with errors.
func (s *session) checkStdio(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	stream, err := s.conn.Raw.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/plugin.GRPCStdio/StreamStdio")
	if err != nil {
		return err
	}
	if err := stream.SendMsg(&emptypb.Empty{}); err != nil {
		return err
	}
	_ = stream.CloseSend()
	err = stream.RecvMsg(&emptypb.Empty{})
	if status.Code(err) == codes.Unimplemented {
		return err
	}
	return nil
}

func (s *session) checkExamples() error {
	var missing []string
	for _, p := range s.schema.Properties {
		if p.Required && p.Example == "" && p.Default == "" {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no example for %s", strings.Join(missing, ", "))
	}
	return nil
}

// examples builds the smallest configuration the schema promises to accept:
// each required property set to its example (or default). Optional
// properties are left out: their examples may name things that exist only
// on the author's machine, such as a CA bundle path.
func (s *session) examples() map[string]any {
	cfg := map[string]any{}
	for _, p := range s.schema.Properties {
		if !p.Required {
			continue
		}
		v := p.Example
		if v == "" {
			v = p.Default
		}
		if v == "" {
			continue
		}
		if p.Type == schema.StringList {
			var l []any
			for _, e := range strings.Split(v, ",") {
				l = append(l, strings.TrimSpace(e))
			}
			cfg[p.Name] = l
		} else {
			cfg[p.Name] = v
		}
	}
	return cfg
}

func (s *session) validate(ctx context.Context, cfg map[string]any) ([]schema.Problem, error) {
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	resp, err := s.conn.Base.ValidateConfig(ctx, &pluginv1.ValidateConfigRequest{Config: st})
	if err != nil {
		return nil, err
	}
	return saplugin.ProblemsFromProto(resp.GetProblems()), nil
}

func (s *session) checkMissing(ctx context.Context) error {
	problems, err := s.validate(ctx, map[string]any{})
	if err != nil {
		return err
	}
	var missing []string
	for _, p := range s.schema.Properties {
		if p.Required && p.Default == "" && !hasField(problems, p.Name) {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("an empty configuration gave %v, nothing about %s", problems, strings.Join(missing, ", "))
	}
	return nil
}

func (s *session) checkUnknown(ctx context.Context) error {
	cfg := s.examples()
	cfg["sa_conformance_unknown"] = "x"
	problems, err := s.validate(ctx, cfg)
	if err != nil {
		return err
	}
	if !hasField(problems, "sa_conformance_unknown") {
		return fmt.Errorf("got %v, want a problem on field sa_conformance_unknown", problems)
	}
	return nil
}

func (s *session) checkValid(ctx context.Context) error {
	problems, err := s.validate(ctx, s.examples())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("the examples gave problems: %v", problems)
	}
	return nil
}

// checkSecretMasking sets every secret property to a marker that fails
// any sensible pattern, and looks for the marker in what comes back.
func (s *session) checkSecretMasking(ctx context.Context) error {
	cfg := s.examples()
	const marker = "sa-conformance-secret\n\x00 <>'\"-3f9c1e"
	for _, p := range s.schema.Properties {
		if (p.Secret || p.Credential) && p.Type == schema.String {
			cfg[p.Name] = marker
		}
	}
	problems, err := s.validate(ctx, cfg)
	if err != nil {
		if strings.Contains(err.Error(), "sa-conformance-secret") {
			return errors.New("ValidateConfig's error quotes a secret value")
		}
		return err
	}
	for _, p := range problems {
		if strings.Contains(p.Message, "sa-conformance-secret") || strings.Contains(p.Field, "sa-conformance-secret") {
			return fmt.Errorf("problem on %s quotes the secret value", p.Field)
		}
	}
	return nil
}

func (s *session) hasSecrets() bool {
	for _, p := range s.schema.Properties {
		if (p.Secret || p.Credential) && p.Type == schema.String {
			return true
		}
	}
	return false
}

func (s *session) configure(ctx context.Context, instance string, cfg map[string]any) (*pluginv1.ConfigureResponse, error) {
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: instance, Config: st})
}

func (s *session) checkConfigure(ctx context.Context) error {
	resp, err := s.configure(ctx, conformanceInstance, s.examples())
	if err != nil {
		return err
	}
	if len(resp.GetProblems()) > 0 {
		return fmt.Errorf("configuring the examples gave problems: %v", saplugin.ProblemsFromProto(resp.GetProblems()))
	}
	resp, err = s.configure(ctx, "", s.examples())
	if err == nil && len(resp.GetProblems()) == 0 {
		return errors.New("an empty instance name was accepted")
	}
	return nil
}

func (s *session) checkParse(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	resp, err := s.conn.Parser.Parse(ctx, &pluginv1.ParseRequest{LogType: "conformance:empty", SchemaJson: []byte(`{}`), OptionsJson: []byte(`{}`)})
	if err != nil {
		return fmt.Errorf("empty batch: %w", err)
	}
	if n := len(resp.GetResults()); n != 0 {
		return fmt.Errorf("empty batch gave %d results", n)
	}
	records := [][]byte{[]byte(`{"a":1}`), []byte(`{`), {0xff, 0xfe, 0x00}, {}, []byte(strings.Repeat("x", 1<<20))}
	resp, err = s.conn.Parser.Parse(ctx, &pluginv1.ParseRequest{LogType: "conformance:garbage", SchemaJson: []byte(`{"a":"integer"}`), OptionsJson: []byte(`{}`), Records: records})
	if err != nil {
		return fmt.Errorf("garbage batch: the whole call failed (%w); bad records belong in per-record errors", err)
	}
	if n := len(resp.GetResults()); n != len(records) {
		return fmt.Errorf("garbage batch of %d records gave %d results", len(records), n)
	}
	return nil
}

func (s *session) checkSendUnconfigured(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	_, err := s.conn.Output.Send(ctx, &pluginv1.SendRequest{Instance: "sa-conformance-unconfigured", AlertJson: []byte(`{"id":"conformance"}`)})
	return wantUnconfigured(err)
}

func (s *session) checkGatherUnconfigured(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	stream, err := s.conn.App.Gather(ctx, &pluginv1.GatherRequest{Instance: "sa-conformance-unconfigured"})
	if err == nil {
		_, err = stream.Recv()
	}
	return wantUnconfigured(err)
}

// wantUnconfigured accepts FailedPrecondition or NotFound, the codes the host
// reacts to by configuring the instance and calling again.
func wantUnconfigured(err error) error {
	switch status.Code(err) {
	case codes.FailedPrecondition, codes.NotFound:
		return nil
	case codes.OK:
		return errors.New("succeeded for an instance that was never configured")
	}
	return fmt.Errorf("got %v, want FailedPrecondition or NotFound", err)
}

func hasField(ps []schema.Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
