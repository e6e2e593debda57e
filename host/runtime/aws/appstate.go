package aws

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/ssm"
)

// An app instance's state, the opaque checkpoint its plugin hands back
// with each batch, lives in one SSM SecureString parameter,
// <state prefix>/app/<name>, encrypted with the secrets key: what an app
// keeps there (a cursor, a paging token) can be as sensitive as its
// credentials, and SSM's per-parameter IAM and KMS encryption context
// let each app function read and write its own state only. StreamAlert
// kept its apps' state in SSM too (<function>_state, reference §6.1).
//
// The value is "b64:" and the state in base64, or "gz:" and the gzip'd
// state in base64 when that is shorter and the plain form would not fit a
// standard parameter. Parameters are written with the Intelligent-Tiering
// tier, so SSM makes one advanced (8 KB) only when its value needs it.
// A missing parameter is an app's first poll: the empty state.

// StatePrefixFor is the default state prefix of a secrets prefix: the
// secrets prefix with its last element replaced by "state", so that
// /prod/sa/secrets keeps app state under /prod/sa/state.
func StatePrefixFor(secretsPrefix string) string {
	return secretsPrefix[:strings.LastIndexByte(secretsPrefix, '/')+1] + "state"
}

// stateAPI is the part of the SSM client app state needs.
type stateAPI interface {
	GetParameter(ctx context.Context, in *awsssm.GetParameterInput, opts ...func(*awsssm.Options)) (*awsssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *awsssm.PutParameterInput, opts ...func(*awsssm.Options)) (*awsssm.PutParameterOutput, error)
}

// Limits of an SSM parameter value.
const (
	standardValueLimit = 4096
	maxStateValue      = 8192
)

// ssmCallTimeout bounds one SSM call, the SDK's retries included.
const ssmCallTimeout = 15 * time.Second

// appState is an app instance's state parameter and the state last read
// from or written to it.
type appState struct {
	api    stateAPI
	param  string
	kmsKey string
	app    string
	cur    []byte
	known  bool // cur is what the parameter holds
}

// load reads the state; a missing parameter is the empty state.
func (s *appState) load(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ssmCallTimeout)
	defer cancel()
	out, err := s.api.GetParameter(ctx, &awsssm.GetParameterInput{Name: &s.param, WithDecryption: awssdk.Bool(true)})
	switch err := ssmError("GetParameter", err); {
	case errors.Is(err, secrets.ErrNotFound):
		s.cur, s.known = nil, false
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("load state: parameter %s: %w", s.param, err)
	}
	if out.Parameter == nil || out.Parameter.Type != types.ParameterTypeSecureString {
		return nil, fmt.Errorf("load state: parameter %s is not a SecureString; delete it to start %s over", s.param, s.app)
	}
	state, err := decodeState(awssdk.ToString(out.Parameter.Value))
	if err != nil {
		return nil, fmt.Errorf("load state: parameter %s: %w; delete it to start %s over", s.param, err, s.app)
	}
	s.cur, s.known = state, true
	return state, nil
}

// save writes state unless the parameter holds it already.
func (s *appState) save(ctx context.Context, state []byte) error {
	if s.known && bytes.Equal(state, s.cur) {
		return nil
	}
	value, err := encodeState(state)
	if err != nil {
		return fmt.Errorf("save state: parameter %s: %w", s.param, err)
	}
	in := &awsssm.PutParameterInput{
		Name: &s.param, Value: &value, Type: types.ParameterTypeSecureString, Overwrite: awssdk.Bool(true),
		Tier: types.ParameterTierIntelligentTiering, Description: awssdk.String("sa app state " + s.app),
	}
	if s.kmsKey != "" {
		in.KeyId = &s.kmsKey
	}
	ctx, cancel := context.WithTimeout(ctx, ssmCallTimeout)
	defer cancel()
	if _, err := s.api.PutParameter(ctx, in); err != nil {
		return fmt.Errorf("save state: parameter %s: %w", s.param, ssmError("PutParameter", err))
	}
	s.cur, s.known = bytes.Clone(state), true
	return nil
}

// encodeState is the parameter value of a state.
func encodeState(state []byte) (string, error) {
	v := "b64:" + base64.StdEncoding.EncodeToString(state)
	if len(v) <= standardValueLimit {
		return v, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(state)
	_ = zw.Close()
	if z := "gz:" + base64.StdEncoding.EncodeToString(buf.Bytes()); len(z) < len(v) {
		v = z
	}
	if len(v) > maxStateValue {
		return "", fmt.Errorf("the app's state is %d bytes and does not fit SSM's %d-byte parameter even compressed", len(state), maxStateValue)
	}
	return v, nil
}

// decodeState reverses encodeState.
func decodeState(v string) ([]byte, error) {
	kind, data, _ := strings.Cut(v, ":")
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || kind != "b64" && kind != "gz" {
		return nil, errors.New("its value is not an sa app state")
	}
	if kind == "b64" {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.New("its value is not an sa app state (gzip)")
	}
	state, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, errors.New("its value is not an sa app state (gzip)")
	}
	return state, nil
}

// ssmError keeps an SSM error's code and drops its message, which can
// quote the value refused; a missing parameter matches
// secrets.ErrNotFound. Other errors (the network, the context) are kept.
func ssmError(op string, err error) error {
	if code := apiCode(err); code != "" {
		return &ssm.Error{Op: op, Code: code}
	}
	return err
}

// apiCode is an AWS API error's code, "malformed response" for an answer
// that did not decode (the decoder's message can quote it), or "".
func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return "malformed response"
	}
	return ""
}
