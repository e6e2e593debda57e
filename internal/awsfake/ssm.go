package awsfake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// SSM Parameter Store (AWS JSON 1.1, X-Amz-Target "AmazonSSM.<Op>",
// signing name ssm): GetParameter and PutParameter, with the request
// checks, answers and errors SSM's API reference documents. A
// SecureString is kept sealed under its KMS key, as SSM keeps it: a read
// without WithDecryption gets the ciphertext, never the value.
func init() {
	protocols["ssm"] = protocol{kind: jsonRPC, contentType: "application/x-amz-json-1.1", targetPrefix: "AmazonSSM."}
	handlers["ssm.GetParameter"] = (*Server).getParameter
	handlers["ssm.PutParameter"] = (*Server).putParameter
}

// DefaultSSMKey is the KMS key SSM encrypts a SecureString with when
// PutParameter names none: the account's AWS managed key.
const DefaultSSMKey = "alias/aws/ssm"

// The largest value of each tier, in characters.
const (
	ssmStandardLimit = 4096
	ssmAdvancedLimit = 8192
)

// ssmState is Parameter Store's resources: the parameters by name and
// the KMS keys PutParameter may name besides DefaultSSMKey. Its zero
// value is empty; init makes the maps, under the server's lock.
type ssmState struct {
	params map[string]*ssmParam
	keys   map[string]bool
}

func (st *ssmState) init() {
	if st.params == nil {
		st.params, st.keys = map[string]*ssmParam{}, map[string]bool{DefaultSSMKey: true}
	}
}

// ssmParam is a stored parameter; a SecureString's data is sealed.
type ssmParam struct {
	name, typ, keyID, tier string
	data                   []byte
	version                int64
	modified               time.Time
}

// Parameter is an SSM parameter as a test reads it back.
type Parameter struct {
	Name    string
	Type    string // String, StringList or SecureString
	KeyID   string // a SecureString's KMS key as PutParameter named it
	Tier    string // Standard or Advanced
	Version int64
	// Value is the plaintext; Ciphertext is what SSM hands a read
	// without decryption (base64), empty for other types.
	Value      string
	Ciphertext string
}

// AddKMSKey lets PutParameter name the KMS key id (a key id, key ARN,
// alias name or alias ARN, each as it will be sent); any other key is
// answered with InvalidKeyId.
func (s *Server) AddKMSKey(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ssm.init()
	s.ssm.keys[id] = true
}

// SetParameter stores a parameter directly, as another tool would, with
// the default key for a SecureString.
func (s *Server) SetParameter(name, typ, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ssm.init()
	p := &ssmParam{name: name, typ: typ, tier: "Standard", version: 1, modified: s.Now()}
	if old := s.ssm.params[name]; old != nil {
		p.version = old.version + 1
	}
	p.seal(value, DefaultSSMKey)
	s.ssm.params[name] = p
}

// Parameter returns a stored parameter, decrypted.
func (s *Server) Parameter(name string) (Parameter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ssm.init()
	p := s.ssm.params[name]
	if p == nil {
		return Parameter{}, false
	}
	out := Parameter{Name: p.name, Type: p.typ, KeyID: p.keyID, Tier: p.tier, Version: p.version, Value: p.plaintext()}
	if p.typ == "SecureString" {
		out.Ciphertext = base64.StdEncoding.EncodeToString(p.data)
	}
	return out, true
}

// seal stores value, encrypted under keyID when the parameter is a
// SecureString.
func (p *ssmParam) seal(value, keyID string) {
	if p.typ != "SecureString" {
		p.data, p.keyID = []byte(value), ""
		return
	}
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	p.keyID = keyID
	p.data = kmsAEAD(keyID).Seal(nonce, nonce, []byte(value), []byte(p.name))
}

// plaintext is the parameter's value, decrypted.
func (p *ssmParam) plaintext() string {
	if p.typ != "SecureString" {
		return string(p.data)
	}
	plain, err := kmsAEAD(p.keyID).Open(nil, p.data[:12], p.data[12:], []byte(p.name))
	if err != nil {
		panic("awsfake: ssm: parameter " + p.name + " does not open under its key")
	}
	return string(plain)
}

// kmsAEAD is the fake's stand-in for a KMS key: AES-256-GCM under a key
// derived from the key id, bound to the parameter name as SSM binds
// ciphertext to PARAMETER_ARN in the encryption context.
func kmsAEAD(keyID string) cipher.AEAD {
	k := sha256.Sum256([]byte("awsfake kms key " + keyID))
	block, _ := aes.NewCipher(k[:])
	aead, _ := cipher.NewGCM(block)
	return aead
}

func (s *Server) parameterARN(region, name string) string {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return "arn:aws:ssm:" + region + ":" + Account + ":parameter" + name
}

// ssmWire is a parameter as GetParameter answers it.
func (s *Server) ssmWire(p *ssmParam, region string, decrypt bool) map[string]any {
	value := string(p.data)
	if p.typ == "SecureString" {
		value = base64.StdEncoding.EncodeToString(p.data)
		if decrypt {
			value = p.plaintext()
		}
	}
	return map[string]any{"Name": p.name, "Type": p.typ, "Value": value, "Version": p.version,
		"ARN": s.parameterARN(region, p.name), "DataType": "text",
		"LastModifiedDate": float64(p.modified.UnixMilli()) / 1000}
}

func (s *Server) getParameter(c Call) (reply, *apiError) {
	name := c.String("Name")
	decrypt, _ := c.Get("WithDecryption").(bool)
	if name == "" {
		return reply{}, invalid("ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ssm.init()
	p := s.ssm.params[name]
	if p == nil {
		return reply{}, notFound("ParameterNotFound", "")
	}
	return reply{json: map[string]any{"Parameter": s.ssmWire(p, c.Region, decrypt)}}, nil
}

// ssmNameRE is a valid parameter name: letters, digits and .-_ in
// segments, a path when it starts with "/".
var ssmNameRE = regexp.MustCompile(`^/?[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$`)

// checkParameterName applies SSM's naming rules.
func checkParameterName(name string) *apiError {
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	switch {
	case !ssmNameRE.MatchString(name) || len(name) > 1011:
		return invalid("ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). "+
			"If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
	case strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm"):
		return invalid("ValidationException", "No access to reserved parameter name: "+name+".")
	case strings.Count(name, "/") > 15 || !strings.HasPrefix(name, "/") && strings.Contains(name, "/"):
		return invalid("HierarchyLevelLimitExceededException", "Parameter name: the hierarchy can have a maximum of 15 levels and must begin with a slash.")
	}
	return nil
}

func (s *Server) putParameter(c Call) (reply, *apiError) {
	name, value, typ, keyID := c.String("Name"), c.String("Value"), c.String("Type"), c.String("KeyId")
	tier := c.String("Tier")
	overwrite, _ := c.Get("Overwrite").(bool)
	if e := checkParameterName(name); e != nil {
		return reply{}, e
	}
	if value == "" {
		return reply{}, invalid("ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ssm.init()
	old := s.ssm.params[name]
	if old != nil && !overwrite {
		return reply{}, invalid("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	if typ == "" && old != nil {
		typ = old.typ
	}
	if e := checkType(typ, keyID); e != nil {
		return reply{}, e
	}
	if typ == "SecureString" {
		if keyID == "" {
			keyID = DefaultSSMKey
		}
		if !s.ssm.keys[keyID] {
			return reply{}, invalid("InvalidKeyId", "Invalid keyId "+keyID)
		}
	}
	stored, e := chooseTier(tier, old, value)
	if e != nil {
		return reply{}, e
	}
	p := &ssmParam{name: name, typ: typ, tier: stored, version: 1, modified: s.Now()}
	if old != nil {
		p.version = old.version + 1
	}
	p.seal(value, keyID)
	s.ssm.params[name] = p
	return reply{json: map[string]any{"Version": p.version, "Tier": p.tier}}, nil
}

func checkType(typ, keyID string) *apiError {
	switch typ {
	case "String", "StringList":
		if keyID != "" {
			return invalid("ValidationException", "KeyId is required for SecureString type parameter only.")
		}
	case "SecureString":
	case "":
		return invalid("ValidationException", "A parameter type is required when you create a parameter.")
	default:
		return invalid("ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [SecureString, StringList, String]", typ))
	}
	return nil
}

// chooseTier returns the tier a value is stored in, or SSM's refusal.
// SSM quotes a value its length check refuses, as this does.
func chooseTier(tier string, old *ssmParam, value string) (string, *apiError) {
	if len(value) > ssmAdvancedLimit {
		return "", invalid("ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'value' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", value, ssmAdvancedLimit))
	}
	wasAdvanced := old != nil && old.tier == "Advanced"
	switch tier {
	case "", "Standard":
		if wasAdvanced {
			return "", invalid("ValidationException", "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "+
				"advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
		if len(value) > ssmStandardLimit {
			return "", invalid("ValidationException", "Standard tier parameters support a maximum parameter value of 4096 characters. "+
				"To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.")
		}
		return "Standard", nil
	case "Advanced":
		return "Advanced", nil
	case "Intelligent-Tiering":
		if wasAdvanced || len(value) > ssmStandardLimit {
			return "Advanced", nil
		}
		return "Standard", nil
	}
	return "", invalid("ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'tier' failed to satisfy constraint: "+
		"Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]", tier))
}
