package outputcfg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/streamalert-go/sa/internal/atomicfile"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/config"
)

// resourceServices are the outputs StreamAlert's outputs.json maps
// {descriptor: resource name} rather than listing descriptors: the AWS
// outputs whose destination is a named resource. host/config applies the
// same rule when it loads the file.
var resourceServices = map[string]bool{
	"aws-firehose": true, "aws-lambda": true, "aws-s3": true, "aws-sns": true, "aws-sqs": true,
}

// ResourceProperty is the property StreamAlert's AWS outputs keep their
// resource name in (the stream, function, bucket, topic or queue), which
// outputs.json records beside the descriptor.
const ResourceProperty = "aws_value"

// outputsFile is conf/outputs.json as read before an edit: its targets in
// file order, and its bytes and mode to restore on rollback.
type outputsFile struct {
	path    string
	outputs config.Outputs
	orig    []byte
	exists  bool
	perm    fs.FileMode
}

// readOutputsFile reads outputs.json; a missing file is an empty one,
// created on the first write.
func readOutputsFile(path string) (*outputsFile, error) {
	f := &outputsFile{path: path, perm: 0o644}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil {
		f.perm = fi.Mode().Perm()
	}
	f.orig, f.exists = data, true
	if f.outputs, err = decodeOutputs(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// decodeOutputs reads outputs.json keeping the order of services and
// descriptors, which encoding/json's maps would lose, so that writing the
// file back changes only what was edited.
func decodeOutputs(data []byte) (config.Outputs, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := delim(dec, '{', ""); err != nil {
		return nil, err
	}
	var out config.Outputs
	seen := map[string]bool{}
	for dec.More() {
		service, err := str(dec, "a service name")
		if err != nil {
			return nil, err
		}
		if seen[service] {
			return nil, fmt.Errorf("%s: service listed twice", service)
		}
		seen[service] = true
		s, err := decodeService(dec, service)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := delim(dec, '}', ""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the top-level object")
	}
	return out, nil
}

// decodeService reads one service's descriptors: a list, or for the AWS
// outputs an object of descriptor to resource name.
func decodeService(dec *json.Decoder, service string) (config.OutputService, error) {
	s := config.OutputService{Service: service}
	tok, err := token(dec)
	if err != nil {
		return s, fmt.Errorf("%s: %w", service, err)
	}
	switch tok {
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			d, err := str(dec, fmt.Sprintf("%s[%d]: a descriptor", service, i))
			if err != nil {
				return s, err
			}
			s.Targets = append(s.Targets, config.OutputTarget{Descriptor: d})
		}
		return s, delim(dec, ']', service)
	case json.Delim('{'):
		s.Mapped = true
		for dec.More() {
			d, err := str(dec, service+": a descriptor")
			if err != nil {
				return s, err
			}
			r, err := str(dec, service+"."+d+": a resource name")
			if err != nil {
				return s, err
			}
			s.Targets = append(s.Targets, config.OutputTarget{Descriptor: d, Resource: r})
		}
		return s, delim(dec, '}', service)
	}
	return s, fmt.Errorf("%s: want a list of descriptors or an object of descriptor to resource name", service)
}

// token is dec.Token, with the end of the input inside the document
// reported as a truncated file.
func token(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

func str(dec *json.Decoder, what string) (string, error) {
	tok, err := token(dec)
	if err != nil {
		return "", fmt.Errorf("want %s: %w", what, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want %s, got %v", what, tok)
	}
	return s, nil
}

func delim(dec *json.Decoder, want json.Delim, at string) error {
	tok, err := token(dec)
	if err == nil && tok != want {
		err = fmt.Errorf("want %q, got %v", want, tok)
	}
	if err != nil && at != "" {
		return fmt.Errorf("%s: %w", at, err)
	}
	return err
}

// lookup returns the target of id and whether outputs.json lists it.
func (f *outputsFile) lookup(id ID) (config.OutputTarget, bool) {
	return f.outputs.Lookup(id.Service, id.Descriptor)
}

// set adds id, or updates its resource name. A new service is inserted
// where StreamAlert's sorted json.dump would put it, and a descriptor of a
// mapped service likewise; list descriptors are appended, as StreamAlert
// appends them. So a file StreamAlert wrote stays the file StreamAlert
// would write.
func (f *outputsFile) set(id ID, resource string) {
	i := slices.IndexFunc(f.outputs, func(s config.OutputService) bool { return s.Service == id.Service })
	if i < 0 {
		i, _ = slices.BinarySearchFunc(f.outputs, id.Service, func(s config.OutputService, name string) int {
			return strings.Compare(s.Service, name)
		})
		f.outputs = slices.Insert(f.outputs, i, config.OutputService{Service: id.Service, Mapped: resourceServices[id.Service]})
	}
	s := &f.outputs[i]
	t := config.OutputTarget{Descriptor: id.Descriptor}
	if s.Mapped {
		t.Resource = resource
	}
	if j := slices.IndexFunc(s.Targets, func(t config.OutputTarget) bool { return t.Descriptor == id.Descriptor }); j >= 0 {
		s.Targets[j] = t
		return
	}
	j := len(s.Targets)
	if s.Mapped {
		j, _ = slices.BinarySearchFunc(s.Targets, id.Descriptor, func(t config.OutputTarget, d string) int {
			return strings.Compare(t.Descriptor, d)
		})
	}
	s.Targets = slices.Insert(s.Targets, j, t)
}

// remove deletes id, and its service once no descriptor is left, and
// reports whether it was there.
func (f *outputsFile) remove(id ID) bool {
	for i := range f.outputs {
		s := &f.outputs[i]
		if s.Service != id.Service {
			continue
		}
		n := len(s.Targets)
		s.Targets = slices.DeleteFunc(s.Targets, func(t config.OutputTarget) bool { return t.Descriptor == id.Descriptor })
		removed := len(s.Targets) != n
		if removed && len(s.Targets) == 0 {
			f.outputs = slices.Delete(f.outputs, i, i+1)
		}
		return removed
	}
	return false
}

// encode renders the file as StreamAlert writes it: json.dumps with an
// indent of two and no trailing newline, unless the file had one (an
// editor's), which is kept so the edit is the only change.
func (f *outputsFile) encode() ([]byte, error) {
	compact, err := f.outputs.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return nil, err
	}
	if bytes.HasSuffix(f.orig, []byte("\n")) {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// write replaces the file with the edited outputs.
func (f *outputsFile) write() error {
	data, err := f.encode()
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return atomicfile.Write(f.path, data, f.perm)
}

// writeIfChanged writes the file unless the edit left it as it was.
func (f *outputsFile) writeIfChanged() error {
	data, err := f.encode()
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if f.exists && bytes.Equal(data, f.orig) {
		return nil
	}
	return atomicfile.Write(f.path, data, f.perm)
}

// restore puts back the file as it was read.
func (f *outputsFile) restore() error {
	if !f.exists {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return atomicfile.Write(f.path, f.orig, f.perm)
}
