package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Description is what a running plugin says about itself.
type Description struct {
	Name, Kind, Version, Description string
	Protocols                        []int
	Protocol                         int
	Instances, ValidatesConfig       bool
	Schema                           schema.Schema
}

// Describe starts the plugin if needed and returns its description.
func (h *Host) Describe(ctx context.Context, addr string) (*Description, error) {
	var d *Description
	err := h.do(ctx, addr, "", "describe", true, func(ctx context.Context, p *process) error {
		info := p.info
		d = &Description{
			Name: info.GetName(), Kind: string(saplugin.KindFromProto(info.GetKind())), Version: info.GetVersion(),
			Description: info.GetDescription(), Protocol: p.version, Schema: p.schema,
			Instances: info.GetCapabilities().GetInstances(), ValidatesConfig: info.GetCapabilities().GetValidateConfig(),
		}
		for _, v := range info.GetProtocolVersions() {
			d.Protocols = append(d.Protocols, int(v))
		}
		return nil
	})
	return d, err
}

// Validate asks the plugin to check a configuration without applying it.
func (h *Host) Validate(ctx context.Context, addr string, cfg map[string]any) ([]schema.Problem, error) {
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return nil, &Error{Plugin: addr, Op: "validate", Err: fmt.Errorf("configuration: %w", err)}
	}
	var problems []schema.Problem
	err = h.do(ctx, addr, "", "validate", true, func(ctx context.Context, p *process) error {
		h.redactor(addr).Add(secretValues(p.schema, cfg)...)
		resp, err := p.conn.Base.ValidateConfig(ctx, &pluginv1.ValidateConfigRequest{Config: st})
		if err != nil {
			return err
		}
		problems = h.redactProblems(addr, saplugin.ProblemsFromProto(resp.GetProblems()))
		return nil
	})
	return problems, err
}

// Parse parses a batch of raw records with a parser plugin ("json" or
// "parser.json").
func (h *Host) Parse(ctx context.Context, name string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
	addr := address(saplugin.KindParser, name)
	var out []saplugin.ParseResult
	err := h.do(ctx, addr, "", "parse", true, func(ctx context.Context, p *process) error {
		resp, err := p.conn.Parser.Parse(ctx, &pluginv1.ParseRequest{
			LogType: req.LogType, SchemaJson: req.Schema, OptionsJson: req.Options, Records: req.Records,
		})
		if err != nil {
			return err
		}
		if len(resp.GetResults()) != len(req.Records) {
			return fmt.Errorf("returned %d results for %d records", len(resp.GetResults()), len(req.Records))
		}
		out = make([]saplugin.ParseResult, len(resp.GetResults()))
		for i, r := range resp.GetResults() {
			out[i] = parseResult(req.Records[i], r)
		}
		return nil
	})
	return out, err
}

// parseResult converts one record's result, resolving candidates the
// plugin returned as spans of the raw record.
func parseResult(raw []byte, r *pluginv1.ParseResult) saplugin.ParseResult {
	res := saplugin.ParseResult{Err: r.GetError(), Candidates: make([]saplugin.Candidate, len(r.GetCandidates()))}
	for j, c := range r.GetCandidates() {
		cand := saplugin.Candidate{Record: c.GetRecordJson(), Envelope: c.GetEnvelopeJson(), Err: c.GetError()}
		if start, end := c.GetRecordStart(), c.GetRecordEnd(); len(cand.Record) == 0 && end > 0 {
			if start >= end || end > uint64(len(raw)) {
				return saplugin.ParseResult{Err: fmt.Sprintf("parser returned the span [%d, %d) of a %d-byte record", start, end, len(raw))}
			}
			cand.Record = raw[start:end:end]
		}
		res.Candidates[j] = cand
	}
	return res
}

// Send delivers an alert through an output plugin's instance. A delivery
// the destination refused is a SendResult, not an error; an error means the
// plugin could not be asked, and is Transient when asking again may work.
func (h *Host) Send(ctx context.Context, name, instance string, alert, publication []byte) (saplugin.SendResult, error) {
	addr := address(saplugin.KindOutput, name)
	var res saplugin.SendResult
	err := h.do(ctx, addr, instance, "send", true, func(ctx context.Context, p *process) error {
		resp, err := p.conn.Output.Send(ctx, &pluginv1.SendRequest{Instance: instance, AlertJson: alert, PublicationJson: publication})
		if err != nil {
			return err
		}
		res = saplugin.SendResult{
			Status:     saplugin.SendStatusFromProto(resp.GetStatus()),
			Message:    h.redactor(addr).Redact(resp.GetMessage()),
			RetryAfter: resp.GetRetryAfter().AsDuration(),
		}
		if res.Status == 0 {
			res.Status = saplugin.Retryable
			res.Message = "plugin gave no delivery status; " + res.Message
		}
		return nil
	})
	return res, err
}

// Gather runs one poll of an app plugin's instance, passing each batch to
// accept in order. accept must make the batch durable before it returns;
// the plugin's state for the next poll is the State of the last batch
// accept returned nil for. The call is not retried: a poll that dies part
// way resumes from the last accepted state on the next run.
func (h *Host) Gather(ctx context.Context, name, instance string, state []byte, budget time.Duration, accept func(saplugin.Batch) error) error {
	addr := address(saplugin.KindApp, name)
	// The stream may run for the whole budget, plus time to wrap up.
	timeout := budget + h.opts.CallTimeout
	return h.doTimeout(ctx, addr, instance, "gather", false, timeout, func(ctx context.Context, p *process) error {
		stream, err := p.conn.App.Gather(ctx, &pluginv1.GatherRequest{Instance: instance, State: state, Budget: durationpb.New(budget)})
		if err != nil {
			return err
		}
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := accept(saplugin.Batch{Logs: resp.GetLogs(), State: resp.GetState(), More: resp.GetMore()}); err != nil {
				return acceptError{err}
			}
		}
	})
}

// acceptError carries the caller's own error out of Gather unchanged.
type acceptError struct{ error }

func (e acceptError) Unwrap() error { return e.error }

func (h *Host) do(ctx context.Context, addr, instance, op string, retry bool, fn func(context.Context, *process) error) error {
	return h.doTimeout(ctx, addr, instance, op, retry, h.opts.CallTimeout, fn)
}

// doTimeout runs fn on the plugin's process with the instance configured,
// and turns any failure into an *Error naming plugin, instance and op.
func (h *Host) doTimeout(ctx context.Context, addr, instance, op string, retry bool, timeout time.Duration, fn func(context.Context, *process) error) error {
	s, err := h.supervisor(addr, instance)
	if err != nil {
		return err
	}
	err = s.call(ctx, timeout, retry, func(ctx context.Context, p *process) error {
		if instance != "" {
			if err := h.ensureConfigured(ctx, s, p, addr, instance); err != nil {
				return err
			}
		}
		err := fn(ctx, p)
		if status.Code(err) == codes.FailedPrecondition && instance != "" {
			// The process lost the instance (a restart raced the call):
			// configure it again and retry once.
			s.forget(p, instance)
			if err := h.ensureConfigured(ctx, s, p, addr, instance); err != nil {
				return err
			}
			err = fn(ctx, p)
		}
		return err
	})
	if err == nil {
		return nil
	}
	var ae acceptError
	if errors.As(err, &ae) {
		return ae.error
	}
	return h.wrap(addr, instance, op, err)
}

// ensureConfigured configures instance in p once per process.
func (h *Host) ensureConfigured(ctx context.Context, s *supervisor, p *process, addr, instance string) error {
	s.mu.Lock()
	done := s.proc == p && s.configured[instance]
	s.mu.Unlock()
	if done {
		return nil
	}
	f, ok := h.configFunc(addr, instance)
	if !ok {
		return configError{fmt.Errorf("instance %q is not configured in sa", instance)}
	}
	cfg, err := f(ctx)
	if err != nil {
		return configError{fmt.Errorf("load configuration: %w", err)}
	}
	h.redactor(addr).Add(secretValues(p.schema, cfg)...)
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return configError{fmt.Errorf("configuration: %w", err)}
	}
	resp, err := p.conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: instance, Config: st})
	if err != nil {
		return err
	}
	if problems := resp.GetProblems(); len(problems) > 0 {
		return configError{fmt.Errorf("configuration rejected: %w", schema.ProblemsError(saplugin.ProblemsFromProto(problems)))}
	}
	s.mu.Lock()
	if s.proc == p {
		s.configured[instance] = true
	}
	s.mu.Unlock()
	return nil
}

// forgetAll makes the current process configure instance again.
func (s *supervisor) forgetAll(instance string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.configured, instance)
}

func (s *supervisor) forget(p *process, instance string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == p {
		delete(s.configured, instance)
	}
}

// configError marks a configuration problem: not transient, needs a person.
type configError struct{ error }

func (e configError) Unwrap() error { return e.error }

// wrap builds the *Error for a failed call, masking secrets in its text.
func (h *Host) wrap(addr, instance, op string, err error) error {
	msg := err.Error()
	if st, ok := status.FromError(err); ok {
		msg = st.Code().String() + ": " + st.Message()
	}
	return &Error{
		Plugin: addr, Instance: instance, Op: op,
		Err:       redacted{msg: h.redactor(addr).Redact(msg), err: err},
		Transient: Transient(err),
	}
}

// redacted is an error whose text has been masked; Unwrap keeps the chain
// for errors.Is, but the text of the chain is never printed through it.
type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }
func (r redacted) Unwrap() error { return r.err }

func (h *Host) redactProblems(addr string, ps []schema.Problem) []schema.Problem {
	r := h.redactor(addr)
	for i := range ps {
		ps[i].Message = r.Redact(ps[i].Message)
		ps[i].Field = r.Redact(ps[i].Field)
	}
	return ps
}

// address accepts "slack" or "output.slack".
func address(kind saplugin.Kind, name string) string {
	prefix := string(kind) + "."
	if len(name) > len(prefix) && name[:len(prefix)] == prefix {
		return name
	}
	return prefix + name
}
