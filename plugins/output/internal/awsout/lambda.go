package awsout

import (
	"errors"
	"regexp"
	"strings"
)

// Function is a Lambda function to invoke, as Invoke takes it.
type Function struct {
	// Name is the function name, partial ARN or ARN, without qualifier.
	Name string
	// Qualifier is a version or alias, or "".
	Qualifier string
	// Region is the region a full ARN names, or "".
	Region string
}

var (
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	qualifierRE    = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]{1,128})$`)
	partitionRE    = regexp.MustCompile(`^aws[a-zA-Z-]*$`)
)

// errFunction says which forms a function reference may take.
var errFunction = errors.New("must be a function name, name:qualifier, or a function ARN " +
	"(arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>])")

// ParseFunction reads a function reference in any form Lambda accepts:
// "name", "name:qualifier", "account:function:name[:qualifier]" or
// "arn:<partition>:lambda:<region>:<account>:function:name[:qualifier]".
// Unlike StreamAlert, which kept only the name of an ARN and so invoked a
// function of its own account and region, the account and region of an
// ARN are kept.
func ParseFunction(s string) (Function, error) {
	parts := strings.Split(s, ":")
	var f Function
	switch {
	case len(parts) <= 2:
		f.Name = parts[0]
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function" && IsAccount(parts[0]):
		f.Name = strings.Join(parts[:3], ":")
	case (len(parts) == 7 || len(parts) == 8) && parts[0] == "arn" && partitionRE.MatchString(parts[1]) &&
		parts[2] == "lambda" && IsRegion(parts[3]) && IsAccount(parts[4]) && parts[5] == "function":
		f.Name, f.Region = strings.Join(parts[:7], ":"), parts[3]
	default:
		return Function{}, errFunction
	}
	if !functionNameRE.MatchString(parts[functionNameIndex(len(parts))]) {
		return Function{}, errFunction
	}
	if len(parts) == 2 || len(parts) == 4 || len(parts) == 8 {
		f.Qualifier = parts[len(parts)-1]
		if !qualifierRE.MatchString(f.Qualifier) {
			return Function{}, errors.New("qualifier must be $LATEST, a version number or an alias name")
		}
	}
	return f, nil
}

// functionNameIndex is where the function name sits among n parts.
func functionNameIndex(n int) int {
	switch n {
	case 1, 2:
		return 0
	case 3, 4:
		return 2
	}
	return 6
}

// CheckQualifier checks a qualifier given on its own.
func CheckQualifier(q string) error {
	if q != "" && !qualifierRE.MatchString(q) {
		return errors.New("must be $LATEST, a version number or an alias name")
	}
	return nil
}
