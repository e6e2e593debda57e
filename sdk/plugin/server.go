package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	"github.com/streamalert-go/sa/sdk/schema"
)

// instances holds the configurations of the named instances a plugin
// process serves.
type instances struct {
	mu  sync.RWMutex
	cfg map[string]schema.Config
}

func (in *instances) get(name string) (schema.Config, error) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	cfg, ok := in.cfg[name]
	if !ok {
		return nil, status.Errorf(codes.FailedPrecondition, "instance %q is not configured", name)
	}
	return cfg, nil
}

func (in *instances) set(name string, cfg schema.Config) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cfg == nil {
		in.cfg = map[string]schema.Config{}
	}
	in.cfg[name] = cfg
}

// baseServer serves PluginService for any kind.
type baseServer struct {
	pluginv1.UnimplementedPluginServiceServer
	kind   Kind
	impl   Plugin
	insts  *instances
	schema schema.Schema
}

func newBaseServer(kind Kind, impl Plugin) *baseServer {
	return &baseServer{kind: kind, impl: impl, insts: &instances{}, schema: impl.Schema()}
}

func (s *baseServer) Describe(ctx context.Context, req *pluginv1.DescribeRequest) (*pluginv1.DescribeResponse, error) {
	info := s.impl.Info()
	_, validates := s.impl.(Validator)
	pv := make([]int32, len(ProtocolVersions))
	for i, v := range ProtocolVersions {
		pv[i] = int32(v)
	}
	return &pluginv1.DescribeResponse{
		Info: &pluginv1.Info{
			Name:             info.Name,
			Kind:             KindToProto(s.kind),
			Version:          info.Version,
			ProtocolVersions: pv,
			Description:      info.Description,
			Capabilities:     &pluginv1.Capabilities{Instances: true, ValidateConfig: validates},
		},
		Schema: SchemaToProto(s.schema),
	}, nil
}

// check applies the schema, then the plugin's own validation.
func (s *baseServer) check(raw map[string]any) (schema.Config, []schema.Problem) {
	cfg, problems := s.schema.Apply(raw)
	if len(problems) > 0 {
		return nil, problems
	}
	if v, ok := s.impl.(Validator); ok {
		if problems := v.ValidateConfig(cfg); len(problems) > 0 {
			return nil, problems
		}
	}
	return cfg, nil
}

func (s *baseServer) ValidateConfig(ctx context.Context, req *pluginv1.ValidateConfigRequest) (*pluginv1.ValidateConfigResponse, error) {
	_, problems := s.check(req.GetConfig().AsMap())
	return &pluginv1.ValidateConfigResponse{Problems: ProblemsToProto(problems)}, nil
}

func (s *baseServer) Configure(ctx context.Context, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	if req.GetInstance() == "" {
		return nil, status.Error(codes.InvalidArgument, "instance name is empty")
	}
	cfg, problems := s.check(req.GetConfig().AsMap())
	if len(problems) > 0 {
		return &pluginv1.ConfigureResponse{Problems: ProblemsToProto(problems)}, nil
	}
	if c, ok := s.impl.(Configurer); ok {
		if err := c.Configure(ctx, req.GetInstance(), cfg); err != nil {
			return &pluginv1.ConfigureResponse{Problems: []*pluginv1.Problem{{Message: err.Error()}}}, nil
		}
	}
	s.insts.set(req.GetInstance(), cfg)
	return &pluginv1.ConfigureResponse{}, nil
}

// parserServer serves ParserService.
type parserServer struct {
	pluginv1.UnimplementedParserServiceServer
	impl Parser
}

func (s *parserServer) Parse(ctx context.Context, req *pluginv1.ParseRequest) (*pluginv1.ParseResponse, error) {
	results, err := s.impl.Parse(ctx, ParseRequest{
		LogType: req.GetLogType(),
		Schema:  req.GetSchemaJson(),
		Options: req.GetOptionsJson(),
		Records: req.GetRecords(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	if len(results) != len(req.GetRecords()) {
		return nil, status.Errorf(codes.Internal, "parser returned %d results for %d records", len(results), len(req.GetRecords()))
	}
	out := &pluginv1.ParseResponse{Results: make([]*pluginv1.ParseResult, len(results))}
	for i, r := range results {
		pr := &pluginv1.ParseResult{Error: r.Err, Candidates: make([]*pluginv1.Candidate, len(r.Candidates))}
		for j, c := range r.Candidates {
			pc := &pluginv1.Candidate{EnvelopeJson: c.Envelope, Error: c.Err}
			if start, end, ok := span(req.GetRecords()[i], c.Record); ok {
				pc.RecordStart, pc.RecordEnd = start, end
			} else {
				pc.RecordJson = c.Record
			}
			pr.Candidates[j] = pc
		}
		out.Results[i] = pr
	}
	return out, nil
}

// span reports where sub lies within raw, when it is a slice of raw's own
// memory: such a candidate travels back as two offsets, not its bytes.
func span(raw, sub []byte) (start, end uint64, ok bool) {
	if len(sub) == 0 || len(raw) == 0 {
		return 0, 0, false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	if p < base || p+uintptr(len(sub)) > base+uintptr(len(raw)) {
		return 0, 0, false
	}
	start = uint64(p - base)
	return start, start + uint64(len(sub)), true
}

// outputServer serves OutputService.
type outputServer struct {
	pluginv1.UnimplementedOutputServiceServer
	impl  Output
	insts *instances
}

func (s *outputServer) Send(ctx context.Context, req *pluginv1.SendRequest) (*pluginv1.SendResponse, error) {
	cfg, err := s.insts.get(req.GetInstance())
	if err != nil {
		return nil, err
	}
	if !json.Valid(req.GetAlertJson()) {
		return nil, status.Error(codes.InvalidArgument, "alert is not valid JSON")
	}
	res := s.impl.Send(ctx, SendRequest{
		Instance:    req.GetInstance(),
		Config:      cfg,
		Alert:       req.GetAlertJson(),
		Publication: req.GetPublicationJson(),
	})
	out := &pluginv1.SendResponse{Status: sendStatusToProto(res.Status), Message: res.Message}
	if res.RetryAfter > 0 {
		out.RetryAfter = durationpb.New(res.RetryAfter)
	}
	return out, nil
}

// appServer serves AppService.
type appServer struct {
	pluginv1.UnimplementedAppServiceServer
	impl  App
	insts *instances
}

func (s *appServer) Gather(req *pluginv1.GatherRequest, stream pluginv1.AppService_GatherServer) error {
	cfg, err := s.insts.get(req.GetInstance())
	if err != nil {
		return err
	}
	budget := req.GetBudget().AsDuration()
	if budget <= 0 {
		budget = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(stream.Context(), budget)
	defer cancel()
	err = s.impl.Gather(ctx, GatherRequest{
		Instance: req.GetInstance(),
		Config:   cfg,
		State:    req.GetState(),
		Budget:   budget,
	}, func(b Batch) error {
		return stream.Send(&pluginv1.GatherResponse{Logs: b.Logs, State: b.State, More: b.More})
	})
	return toStatus(err)
}

// toStatus keeps gRPC statuses and context errors, and reports anything
// else as Internal with the plugin's message.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Internal, fmt.Sprint(err.Error()))
}
