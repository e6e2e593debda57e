// Package ssm is the secret store of the AWS runtime: secrets.Store over
// AWS Systems Manager Parameter Store.
//
// Each secret is one SecureString parameter named "<prefix>/<name>",
// encrypted by KMS with the configured key (the account's aws/ssm key when
// none is named), holding the Value as a JSON object of strings: the form
// StreamAlert keeps its output credentials in (reference §5.3), so secrets
// written by either read in the other. Put overwrites; Get decrypts
// (WithDecryption) for that call only and caches nothing; List walks the
// prefix with GetParametersByPath without decryption, so listing needs no
// kms:Decrypt and never fetches plaintext.
//
// Errors name the secret and the SSM error code but never carry SSM's
// message: a ValidationException of PutParameter quotes the value it
// refused, so the message is dropped before it can reach a log.
package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/sdk/schema"
)

// API is the part of the SSM client the store calls; *ssm.Client
// implements it.
type API interface {
	GetParameter(ctx context.Context, in *awsssm.GetParameterInput, opts ...func(*awsssm.Options)) (*awsssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *awsssm.PutParameterInput, opts ...func(*awsssm.Options)) (*awsssm.PutParameterOutput, error)
	DeleteParameter(ctx context.Context, in *awsssm.DeleteParameterInput, opts ...func(*awsssm.Options)) (*awsssm.DeleteParameterOutput, error)
	GetParametersByPath(ctx context.Context, in *awsssm.GetParametersByPathInput, opts ...func(*awsssm.Options)) (*awsssm.GetParametersByPathOutput, error)
}

// Options configure a Store.
type Options struct {
	// Prefix is the parameter path secrets live under, such as
	// "/prod/sa/secrets": a leading "/", no trailing one.
	Prefix string
	// KMSKeyID is the key id, ARN or alias that encrypts the parameters;
	// empty uses the account's aws/ssm key.
	KMSKeyID string
	// Tier is the parameter tier; default Standard (values up to 4 KB).
	Tier types.ParameterTier
}

// maxSegments is SSM's limit on a parameter name's hierarchy levels.
const maxSegments = 15

// valueLimit is the largest value of each tier.
var valueLimit = map[types.ParameterTier]int{
	types.ParameterTierStandard: 4096, types.ParameterTierAdvanced: 8192, types.ParameterTierIntelligentTiering: 8192,
}

// Store keeps secrets in SSM Parameter Store. It is safe for concurrent use.
type Store struct {
	api    API
	prefix string
	depth  int // segments in prefix
	kmsKey string
	tier   types.ParameterTier
}

// New returns a store under opts.Prefix.
func New(api API, opts Options) (*Store, error) {
	if api == nil {
		return nil, errors.New("secret store: ssm: no client")
	}
	p := opts.Prefix
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return nil, fmt.Errorf("secret store: ssm: prefix %q must start with / and not end with one", p)
	}
	if strings.HasPrefix(strings.ToLower(p), "/aws") || strings.HasPrefix(strings.ToLower(p), "/ssm") {
		return nil, fmt.Errorf("secret store: ssm: prefix %q: names beginning with aws or ssm are reserved", p)
	}
	tier := opts.Tier
	if tier == "" {
		tier = types.ParameterTierStandard
	}
	if _, ok := valueLimit[tier]; !ok {
		return nil, fmt.Errorf("secret store: ssm: unknown tier %q", tier)
	}
	depth := strings.Count(p, "/")
	if depth >= maxSegments {
		return nil, fmt.Errorf("secret store: ssm: prefix %q leaves no room under SSM's %d levels", p, maxSegments)
	}
	return &Store{api: api, prefix: p, depth: depth, kmsKey: opts.KMSKeyID, tier: tier}, nil
}

// parameter is the parameter name of a secret, once the name is checked.
func (s *Store) parameter(ctx context.Context, name string) (string, error) {
	if err := secrets.ValidateName(name); err != nil {
		return "", err
	}
	if n := s.depth + strings.Count(name, "/") + 1; n > maxSegments {
		return "", fmt.Errorf("%w %q: with the prefix %s it has %d levels, over SSM's %d",
			secrets.ErrInvalidName, name, s.prefix, n, maxSegments)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("secret %s: %w", name, err)
	}
	return s.prefix + "/" + name, nil
}

// Get implements secrets.Store.
func (s *Store) Get(ctx context.Context, name string) (secrets.Value, error) {
	param, err := s.parameter(ctx, name)
	if err != nil {
		return nil, err
	}
	res, err := s.api.GetParameter(ctx, &awsssm.GetParameterInput{Name: &param, WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, sanitize("GetParameter", err))
	}
	if res.Parameter == nil || res.Parameter.Value == nil {
		return nil, fmt.Errorf("secret %s: parameter %s: %w: SSM returned no value", name, param, secrets.ErrCorrupt)
	}
	if res.Parameter.Type != types.ParameterTypeSecureString {
		return nil, fmt.Errorf("secret %s: parameter %s is a %s, not a SecureString: %w; set it again with sa",
			name, param, res.Parameter.Type, secrets.ErrCorrupt)
	}
	var m map[string]string
	// encoding/json's messages can quote the input, which is plaintext
	// here, so they are replaced, not wrapped.
	if err := json.Unmarshal([]byte(*res.Parameter.Value), &m); err != nil || m == nil {
		return nil, fmt.Errorf("secret %s: parameter %s is %w: its value is not a JSON object of strings; set it again",
			name, param, secrets.ErrCorrupt)
	}
	v := make(secrets.Value, len(m))
	for k, x := range m {
		v[k] = schema.Secret(x)
	}
	return v, nil
}

// Put implements secrets.Store.
func (s *Store) Put(ctx context.Context, name string, v secrets.Value) error {
	param, err := s.parameter(ctx, name)
	if err != nil {
		return err
	}
	plain := make(map[string]string, len(v))
	for k, x := range v {
		if k == "" {
			return fmt.Errorf("secret %s: a property has an empty name", name)
		}
		plain[k] = x.Reveal()
	}
	body, err := json.Marshal(plain) // sorted keys; strings always encode
	if err != nil {
		return fmt.Errorf("secret %s: encode: cannot encode the value", name)
	}
	defer clear(body)
	if limit := valueLimit[s.tier]; len(body) > limit {
		return fmt.Errorf("secret %s: encoded value is %d bytes, over the %d of the %s tier", name, len(body), limit, s.tier)
	}
	in := &awsssm.PutParameterInput{Name: &param, Value: aws.String(string(body)),
		Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true), Tier: s.tier,
		Description: aws.String("sa secret " + name)}
	if s.kmsKey != "" {
		in.KeyId = &s.kmsKey
	}
	if _, err := s.api.PutParameter(ctx, in); err != nil {
		return fmt.Errorf("secret %s: %w", name, sanitize("PutParameter", err))
	}
	return nil
}

// Delete implements secrets.Store.
func (s *Store) Delete(ctx context.Context, name string) error {
	param, err := s.parameter(ctx, name)
	if err != nil {
		return err
	}
	if _, err := s.api.DeleteParameter(ctx, &awsssm.DeleteParameterInput{Name: &param}); err != nil {
		return fmt.Errorf("secret %s: %w", name, sanitize("DeleteParameter", err))
	}
	return nil
}

// List implements secrets.Store. It reads the narrowest path that holds
// every name starting with prefix, recursively and without decryption, and
// skips parameters whose names are not secret names (placed there by other
// tools).
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	path := s.prefix
	if dir, _, ok := cutLast(prefix, "/"); ok && secrets.ValidateName(dir) == nil {
		path += "/" + dir
	}
	in := &awsssm.GetParametersByPathInput{Path: &path, Recursive: aws.Bool(true),
		WithDecryption: aws.Bool(false), MaxResults: aws.Int32(10)}
	var names []string
	p := awsssm.NewGetParametersByPathPaginator(s.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list secrets under %s: %w", path, sanitize("GetParametersByPath", err))
		}
		for _, param := range page.Parameters {
			name, ok := strings.CutPrefix(aws.ToString(param.Name), s.prefix+"/")
			if ok && strings.HasPrefix(name, prefix) && secrets.ValidateName(name) == nil {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// Interface guard.
var _ secrets.Store = (*Store)(nil)

// Error is a failed SSM call: the operation and SSM's error code, without
// SSM's message (which may quote a value). ParameterNotFound matches
// secrets.ErrNotFound.
type Error struct {
	Op   string
	Code string
}

func (e *Error) Error() string { return "ssm " + e.Op + ": " + e.Code }

// Is makes a missing parameter match secrets.ErrNotFound.
func (e *Error) Is(target error) bool {
	return target == secrets.ErrNotFound && e.Code == "ParameterNotFound"
}

// Temporary reports whether the call may pass if made again (the SDK has
// retried it already).
func (e *Error) Temporary() bool {
	switch e.Code {
	case "ThrottlingException", "TooManyUpdates", "InternalServerError", "ServiceUnavailable":
		return true
	}
	return false
}

// sanitize keeps an API error's code and drops its message; other errors
// (the network, a cancelled context) carry no value and are kept, so that
// errors.Is finds context.Canceled.
func sanitize(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return &Error{Op: op, Code: api.ErrorCode()}
	}
	// A response that did not decode may have held a value: the decoder's
	// message can quote it.
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return &Error{Op: op, Code: "malformed response"}
	}
	return err
}
