package outputcfg

import (
	"bytes"
	"errors"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// outputsKey is the section of sa.yaml that holds output instances.
const outputsKey = "outputs"

// prop is one stored property, kept in schema order so the entries sa
// writes read in the order the plugin documents them.
type prop struct {
	Name  string
	Value any
}

// editOutputs returns the sa.yaml text data with the entry key of its
// outputs section set to props, or removed when remove is true.
//
// sa.yaml is a file people edit and comment, so the edit is made on the
// text: only the lines of the one entry change, and every other byte (the
// comments, the blank lines between sections, the quoting) stays as it
// was. A yaml.Node round trip of the whole file would keep the comments
// but drop the blank lines and restyle every value. The positions come
// from yaml.Node, the new entry is rendered by the YAML encoder, and the
// result is parsed again and compared with the intended document; should
// the text edit ever not produce it (a layout the line rules do not
// cover), the whole document is re-encoded from its nodes instead, which
// keeps the comments at least.
func editOutputs(data []byte, key string, props []prop, remove bool) ([]byte, error) {
	want, err := intended(data, key, props, remove)
	if err != nil {
		return nil, err
	}
	if out, err := splice(data, key, props, remove); err == nil && sameDocument(out, want) {
		return out, nil
	}
	out, err := reencode(data, key, props, remove)
	if err != nil {
		return nil, err
	}
	if !sameDocument(out, want) {
		return nil, errors.New("editing the outputs section did not produce the intended document")
	}
	return out, nil
}

// intended is the decoded document the edit must produce.
func intended(data []byte, key string, props []prop, remove bool) (map[string]any, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc == nil {
		doc = map[string]any{}
	}
	outputs, _ := doc[outputsKey].(map[string]any)
	if remove {
		delete(outputs, key)
		return normalize(doc), nil
	}
	if outputs == nil {
		outputs = map[string]any{}
	}
	// Round-trip the values through YAML so that they compare as the
	// decoder will return them (int64 as int, []string as []any).
	m := map[string]any{}
	for _, p := range props {
		m[p.Name] = p.Value
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return nil, err
	}
	var entry map[string]any
	if err := yaml.Unmarshal(b, &entry); err != nil {
		return nil, err
	}
	outputs[key] = entry
	doc[outputsKey] = outputs
	return normalize(doc), nil
}

// normalize treats an outputs section that is empty and one that is null
// alike: removing the last entry leaves "outputs:" with nothing under it.
func normalize(doc map[string]any) map[string]any {
	if m, ok := doc[outputsKey].(map[string]any); ok && len(m) == 0 {
		doc[outputsKey] = nil
	}
	return doc
}

func sameDocument(data []byte, want map[string]any) bool {
	var got map[string]any
	if err := yaml.Unmarshal(data, &got); err != nil || got == nil {
		return false
	}
	return reflect.DeepEqual(normalize(got), want)
}

// errNoSplice says the text edit does not apply to this layout.
var errNoSplice = errors.New("layout not handled by a text edit")

// splice edits the lines of the one entry (see editOutputs).
func splice(data []byte, key string, props []prop, remove bool) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 && !remove {
		return appendSection(data, key, props) // empty, or comments only
	}
	root := rootMapping(&doc)
	if root == nil || root.Style&yaml.FlowStyle != 0 {
		return nil, errNoSplice
	}
	lines := strings.SplitAfter(string(data), "\n")
	ki := keyIndex(root, outputsKey)
	if ki < 0 {
		if remove {
			return data, nil
		}
		return appendSection(data, key, props)
	}
	outKey, section := root.Content[ki], root.Content[ki+1]
	if section.Kind != yaml.MappingNode || section.Style&yaml.FlowStyle != 0 || len(section.Content) == 0 {
		// Null, empty or flow style: rewrite the section in block style.
		if outKey.Column != 1 {
			return nil, errNoSplice
		}
		if remove && keyIndex(section, key) < 0 {
			return data, nil
		}
		section = setEntry(section, key, props, remove)
		return replaceEntry(lines, outKey, section, 0, 2, data)
	}
	step := childIndent(section)
	if ei := keyIndex(section, key); ei >= 0 {
		k := section.Content[ei]
		if remove {
			start, end := entryRange(lines, k.Line, k.Column-1)
			return []byte(strings.Join(lines[:start], "") + strings.Join(lines[end:], "")), nil
		}
		return replaceEntry(lines, k, updateMapping(section.Content[ei+1], props), k.Column-1, step, data)
	}
	if remove {
		return data, nil
	}
	last := section.Content[len(section.Content)-2]
	indent := last.Column - 1
	_, end := entryRange(lines, last.Line, indent)
	text, err := renderEntry(scalar(key), propsNode(props), indent, step, data)
	if err != nil {
		return nil, err
	}
	lines = ensureNewline(lines, end)
	return []byte(strings.Join(lines[:end], "") + text + strings.Join(lines[end:], "")), nil
}

// appendSection adds an outputs section at the end of the file.
func appendSection(data []byte, key string, props []prop) ([]byte, error) {
	section := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{scalar(key), propsNode(props)}}
	k := scalar(outputsKey)
	k.HeadComment = "# Output instances by service:descriptor (sa output new): their properties\n# that are not credentials. Credentials are kept in the secret store."
	text, err := renderEntry(k, section, 0, 2, data)
	if err != nil {
		return nil, err
	}
	out := string(data)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if out != "" {
		out += "\n"
	}
	return []byte(out + text), nil
}

// replaceEntry replaces the lines of the entry whose key is k with the
// entry k: value rendered at indent.
func replaceEntry(lines []string, k, value *yaml.Node, indent, step int, data []byte) ([]byte, error) {
	start, end := entryRange(lines, k.Line, indent)
	key := *k
	// The key's head and foot comments sit outside the replaced lines;
	// rendering them would write them twice.
	key.HeadComment, key.FootComment = "", ""
	text, err := renderEntry(&key, value, indent, step, data)
	if err != nil {
		return nil, err
	}
	lines = ensureNewline(lines, end)
	return []byte(strings.Join(lines[:start], "") + text + strings.Join(lines[end:], "")), nil
}

// ensureNewline makes sure the line before index at ends with a newline,
// so that text inserted there starts on a line of its own.
func ensureNewline(lines []string, at int) []string {
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		lines[at-1] += "\n"
	}
	return lines
}

// entryRange returns the lines [start, end) of the block mapping entry
// whose key is on line keyLine (1-based) at column indent (0-based): the
// key's line and every following line indented deeper, with the blank
// lines between them. YAML requires everything belonging to the entry to
// be indented deeper than its key, so the first line that is not ends it;
// blank lines and comments before that line belong to what follows.
func entryRange(lines []string, keyLine, indent int) (start, end int) {
	start = keyLine - 1
	end = start + 1
	for i := end; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r\n")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(l)-len(strings.TrimLeft(l, " ")) <= indent {
			break
		}
		end = i + 1
	}
	return start, end
}

// renderEntry renders the one-entry mapping k: value, indented by indent
// spaces and by step for each nested level, with the file's line endings.
func renderEntry(k, value *yaml.Node, indent, step int, data []byte) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(step)
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{k, value}}
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	pad := strings.Repeat(" ", indent)
	var out strings.Builder
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			out.WriteString(pad)
		}
		out.WriteString(l)
	}
	text := out.String()
	if bytes.Contains(data, []byte("\r\n")) {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	return text, nil
}

// childIndent is how far the file indents an entry's properties below
// its key, so that new entries match the ones already there.
func childIndent(section *yaml.Node) int {
	for i := 1; i < len(section.Content); i += 2 {
		k, v := section.Content[i-1], section.Content[i]
		if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
			if d := v.Content[0].Column - k.Column; d >= 2 && d <= 8 {
				return d
			}
		}
	}
	return 2
}
