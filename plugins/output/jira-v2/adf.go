package main

import (
	"bytes"
	"encoding/json"
	"strings"
)

// REST API 3 takes rich text (descriptions, comments) as Atlassian
// Document Format: a "doc" node holding block nodes holding text nodes.

// node is one ADF node.
type node struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Text    string         `json:"text,omitempty"`
	Content []node         `json:"content,omitempty"`
}

// codeDoc is a document of one code block, StreamAlert's {code:JSON} in
// ADF.
func codeDoc(language, code string) node {
	block := node{Type: "codeBlock", Attrs: map[string]any{"language": language}}
	if code != "" {
		block.Content = []node{{Type: "text", Text: code}}
	}
	return node{Type: "doc", Version: 1, Content: []node{block}}
}

// textDoc is plain text as a document: a paragraph per blank-line
// separated block, a hard break per line break. ADF has no empty text
// node, so empty lines are dropped from a paragraph.
func textDoc(text string) node {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	doc := node{Type: "doc", Version: 1, Content: []node{}}
	for _, block := range strings.Split(text, "\n\n") {
		var p []node
		for _, line := range strings.Split(block, "\n") {
			if line == "" {
				continue
			}
			if len(p) > 0 {
				p = append(p, node{Type: "hardBreak"})
			}
			p = append(p, node{Type: "text", Text: line})
		}
		if len(p) > 0 {
			doc.Content = append(doc.Content, node{Type: "paragraph", Content: p})
		}
	}
	if len(doc.Content) == 0 {
		doc.Content = append(doc.Content, node{Type: "paragraph"})
	}
	return doc
}

// isDoc reports whether raw is already an ADF document, which a publisher
// may set as @jira.description to control the layout.
func isDoc(raw json.RawMessage) bool {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' {
		return false
	}
	var d struct {
		Type    string `json:"type"`
		Version int    `json:"version"`
	}
	return json.Unmarshal(raw, &d) == nil && d.Type == "doc" && d.Version == 1
}
