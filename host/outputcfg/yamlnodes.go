package outputcfg

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// reencode edits the node tree and encodes the whole document: the
// fallback of editOutputs.
func reencode(data []byte, key string, props []prop, remove bool) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		doc.Kind = yaml.DocumentNode
	}
	if len(doc.Content) == 0 {
		doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
	}
	root := rootMapping(&doc)
	if root == nil {
		return nil, errors.New("the document is not a mapping")
	}
	root.Style &^= yaml.FlowStyle
	if ki := keyIndex(root, outputsKey); ki >= 0 {
		root.Content[ki+1] = setEntry(root.Content[ki+1], key, props, remove)
	} else if !remove {
		root.Content = append(root.Content, scalar(outputsKey), setEntry(nil, key, props, false))
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// setEntry returns the outputs section with key set or removed, in block
// style.
func setEntry(section *yaml.Node, key string, props []prop, remove bool) *yaml.Node {
	if section == nil || section.Kind != yaml.MappingNode {
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if section != nil {
			n.LineComment = section.LineComment
		}
		section = n
	}
	section.Style &^= yaml.FlowStyle
	ei := keyIndex(section, key)
	switch {
	case remove && ei >= 0:
		section.Content = append(section.Content[:ei], section.Content[ei+2:]...)
	case remove:
	case ei >= 0:
		section.Content[ei+1] = updateMapping(section.Content[ei+1], props)
	default:
		section.Content = append(section.Content, scalar(key), propsNode(props))
	}
	return section
}

// updateMapping sets an entry's properties to props, keeping the nodes,
// and so the comments, of the properties that stay.
func updateMapping(m *yaml.Node, props []prop) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		n := propsNode(props)
		n.LineComment = m.LineComment
		return n
	}
	byName := map[string]any{}
	for _, p := range props {
		byName[p.Name] = p.Value
	}
	done := map[string]bool{}
	var content []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		val, ok := byName[k.Value]
		if !ok {
			continue
		}
		nv := valueNode(val)
		nv.HeadComment, nv.LineComment, nv.FootComment = v.HeadComment, v.LineComment, v.FootComment
		content = append(content, k, nv)
		done[k.Value] = true
	}
	for _, p := range props {
		if !done[p.Name] {
			content = append(content, scalar(p.Name), valueNode(p.Value))
		}
	}
	m.Content = content
	return m
}

func propsNode(props []prop) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, p := range props {
		n.Content = append(n.Content, scalar(p.Name), valueNode(p.Value))
	}
	return n
}

// valueNode encodes a property value. Values are the schema's types
// (string, int64, float64, bool, []string), which always encode.
func valueNode(v any) *yaml.Node {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		panic(fmt.Sprintf("outputcfg: encode %T: %v", v, err))
	}
	return n
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func rootMapping(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return doc.Content[0]
}

// keyIndex returns the index of key's node in mapping m, or -1.
func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return i
		}
	}
	return -1
}
