package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// policyPublic is is_public_policy: whether an IAM resource policy
// document lets anyone in, with the semantics of policyuniverse 1.3.2's
// Policy.is_internet_accessible, which StreamAlert's
// cloudtrail_public_resources rule relies on (compat RULES.md §3.2).
// Malformed documents are errors, as they were exceptions there, so the
// rule does not fire on them.
func policyPublic(doc any) (bool, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return false, fmt.Errorf("is_public_policy: want a policy object, got %s", jsonKind(doc))
	}
	stmts, ok := m["Statement"].([]any)
	if !ok {
		if s, present := m["Statement"]; present {
			stmts = []any{s}
		}
	}
	// policyuniverse parses every statement before judging any, so a
	// malformed statement anywhere is an error.
	parsed := make([]statement, 0, len(stmts))
	for _, s := range stmts {
		st, err := parseStatement(s)
		if err != nil {
			return false, err
		}
		parsed = append(parsed, st)
	}
	for _, st := range parsed {
		open, err := st.public()
		if err != nil || open {
			return open, err
		}
	}
	return false, nil
}

type statement struct {
	raw        map[string]any
	principals []any
	conditions []condEntry
}

type condEntry struct {
	category string
	value    any
}

func parseStatement(s any) (statement, error) {
	m, ok := s.(map[string]any)
	if !ok {
		return statement{}, fmt.Errorf("is_public_policy: a statement is %s, not an object", jsonKind(s))
	}
	st := statement{raw: m}
	var err error
	if st.principals, err = principals(m); err != nil {
		return st, err
	}
	st.conditions, err = conditions(m)
	return st, err
}

func (st statement) public() (bool, error) {
	if effect, _ := st.raw["Effect"].(string); effect != "Allow" {
		return false, nil
	}
	open, err := st.conditionsOpen()
	if err != nil || !open {
		return false, err
	}
	if _, ok := st.raw["NotPrincipal"]; ok {
		return true, nil
	}
	for _, p := range st.principals {
		open, err := arnOpen(p)
		if err != nil || open {
			return open, err
		}
	}
	return false, nil
}

// principals lists the principals the policy evaluator considers: under
// a mapping, only "AWS" and "Service".
func principals(st map[string]any) ([]any, error) {
	v := st["Principal"]
	if !truthy(v) {
		return nil, nil
	}
	var out []any
	add := func(x any) error {
		switch e := x.(type) {
		case []any:
			for _, y := range e {
				switch y.(type) {
				case map[string]any, []any:
					return errors.New("is_public_policy: a principal is a list or object")
				}
				out = append(out, y)
			}
		case map[string]any:
			return errors.New("is_public_policy: a principal is an object")
		default:
			out = append(out, e)
		}
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"AWS", "Service"} {
			if x, ok := m[k]; ok {
				if err := add(x); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	return out, add(v)
}

var (
	condOps = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^((ForAllValues|ForAnyValue):)?ARN(Equals|Like)(IfExists)?`),
		regexp.MustCompile(`(?i)^((ForAllValues|ForAnyValue):)?String(Equals|Like)(IgnoreCase)?(IfExists)?`),
		regexp.MustCompile(`(?i)^((ForAllValues|ForAnyValue):)?IpAddress(IfExists)?`),
	}
	condKeys = map[string]string{
		"aws:sourcearn": "arn", "aws:sourceowner": "account", "aws:sourceaccount": "account",
		"aws:principalorgid": "org-id", "kms:calleraccount": "account", "aws:userid": "userid",
		"aws:sourceip": "cidr", "aws:sourcevpc": "vpc", "aws:sourcevpce": "vpce",
	}
)

// conditions extracts the condition entries that can narrow who the
// statement admits; negated and other operators narrow nothing here.
func conditions(st map[string]any) ([]condEntry, error) {
	c, _ := st["Condition"].(map[string]any)
	if !truthy(st["Condition"]) {
		return nil, nil
	}
	if c == nil {
		return nil, fmt.Errorf("is_public_policy: Condition is %s, not an object", jsonKind(st["Condition"]))
	}
	var out []condEntry
	for _, op := range sortedKeys(c) {
		if !matchesAnyRE(condOps, op) {
			continue
		}
		body, ok := c[op].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("is_public_policy: condition %s is %s, not an object", op, jsonKind(c[op]))
		}
		forAll := strings.HasPrefix(strings.ToLower(op), "for")
		for _, k := range sortedKeys(body) {
			v := body[k]
			list, isList := v.([]any)
			if forAll && !isList {
				continue
			}
			cat, ok := condKeys[strings.ToLower(k)]
			if !ok {
				continue
			}
			if !isList {
				list = []any{v}
			}
			for _, x := range list {
				out = append(out, condEntry{category: cat, value: x})
			}
		}
	}
	return out, nil
}

func matchesAnyRE(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// conditionsOpen: no narrowing condition, or one that narrows to
// everyone.
func (st statement) conditionsOpen() (bool, error) {
	if len(st.conditions) == 0 {
		return true, nil
	}
	for _, e := range st.conditions {
		open, err := e.open()
		if err != nil || open {
			return open, err
		}
	}
	return false, nil
}

func (e condEntry) open() (bool, error) {
	if e.category == "arn" {
		return arnOpen(e.value)
	}
	s, ok := e.value.(string)
	if !ok {
		return false, fmt.Errorf("is_public_policy: condition value is %s, not a string", jsonKind(e.value))
	}
	switch e.category {
	case "userid":
		i := strings.IndexByte(s, '*')
		if i < 0 {
			return false, fmt.Errorf("is_public_policy: aws:userid %q has no '*'", s)
		}
		return i != len(s)-1, nil
	case "cidr":
		return strings.HasSuffix(s, "/0"), nil
	}
	return strings.Contains(s, "*"), nil
}

var (
	arnRE        = regexp.MustCompile(`^arn:([^:]*):([^:]*):([^:]*):(|\*|[0-9]{12}|cloudfront|aws):(.+)$`)
	accountRE    = regexp.MustCompile(`^([0-9]{12})+$`)
	servicePrRE  = regexp.MustCompile(`^(([^.]+)(.[^.]+)?)\.amazon(aws)?\.com$`)
	internalPrRE = regexp.MustCompile(`^([^.]+).aws.internal$`)
)

// arnOpen reports whether a principal or ARN admits any account.
func arnOpen(x any) (bool, error) {
	s, ok := x.(string)
	if !ok {
		return false, fmt.Errorf("is_public_policy: principal is %s, not a string", jsonKind(x))
	}
	if s == "*" {
		return true, nil
	}
	var service, account string
	servicePrincipal := false
	if m := arnRE.FindStringSubmatch(s); m != nil {
		service, account = m[2], m[4]
	} else if accountRE.MatchString(s) {
		account = s
	} else if m := servicePrRE.FindStringSubmatch(s); m != nil {
		service, servicePrincipal = m[1], true
	} else if m := internalPrRE.FindStringSubmatch(s); m != nil {
		service, servicePrincipal = m[1], true
	} else {
		return strings.Contains(s, "*"), nil
	}
	switch {
	case service == "s3":
		return false, nil
	case account == "" && !servicePrincipal:
		return true, nil
	}
	return account == "*", nil
}
