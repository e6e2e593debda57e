package outputcfg

import (
	"fmt"
	"strings"

	"github.com/streamalert-go/sa/host/secrets"
)

// ID names an output instance the way rules do: "service:descriptor", as in
// "slack:soc". The service is the output plugin's name.
type ID struct {
	Service    string
	Descriptor string
}

// ParseID reads "service:descriptor". It checks the shape only; Check
// applies the naming rules.
func ParseID(s string) (ID, error) {
	service, descriptor, ok := strings.Cut(s, ":")
	if !ok || service == "" || descriptor == "" {
		return ID{}, fmt.Errorf("%q: want service:descriptor, as in slack:soc", s)
	}
	return ID{Service: service, Descriptor: descriptor}, nil
}

func (id ID) String() string { return id.Service + ":" + id.Descriptor }

// Plugin is the address of the output plugin serving the instance.
func (id ID) Plugin() string { return "output." + id.Service }

// SecretName is where the instance's credentials are kept; the runtime
// reads them from the same name.
func (id ID) SecretName() string { return "output/" + id.Service + "/" + id.Descriptor }

// Check applies the rules a descriptor must meet wherever it is used: no
// space or ':' (rules split "service:descriptor" on the first colon, and
// StreamAlert forbids both), and the rules of secret names, since the
// descriptor is part of one. Secret names are lowercase, so an uppercase
// descriptor is refused with the lowercase one suggested rather than
// silently folded: rules would otherwise name an output that does not
// exist.
func (id ID) Check() error {
	for _, part := range []struct{ what, val string }{{"service", id.Service}, {"descriptor", id.Descriptor}} {
		switch {
		case part.val == "":
			return fmt.Errorf("%s is empty", part.what)
		case strings.ContainsAny(part.val, " :"):
			return fmt.Errorf("%s %q may not contain spaces or ':'", part.what, part.val)
		case strings.ToLower(part.val) != part.val:
			return fmt.Errorf("%s %q has uppercase letters; %s names its credentials (%s), and secret names are lowercase: use %q",
				part.what, part.val, id, id.SecretName(), strings.ToLower(part.val))
		}
	}
	if err := secrets.ValidateName(id.SecretName()); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return nil
}
