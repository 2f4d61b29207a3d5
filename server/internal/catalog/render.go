package catalog

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Rendered is a module body turned into safe HTML.
type Rendered struct {
	HTML string     // sanitized: no script, event handler, style or dangerous URL survives
	TOC  []TOCEntry // the headings, in order
	Text string     // the text without markup, for search and snippets
}

// Markers around the matches in a search snippet. They are private-use
// characters that Render removes from module text, so they only ever appear
// where Search put them.
const (
	SnippetStart = "\uE000"
	SnippetEnd   = "\uE001"
)

// HighlightHTML escapes a search snippet and turns its markers into <mark>.
func HighlightHTML(snippet string) string {
	s := html.EscapeString(snippet)
	return strings.NewReplacer(SnippetStart, "<mark>", SnippetEnd, "</mark>").Replace(s)
}

// Renderer renders module markdown. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewRenderer returns the renderer for module bodies: GitHub-flavoured
// markdown (tables, task lists, strikethrough, autolinks), heading ids, a
// typographer and "say" callouts; raw HTML is dropped and the output is
// sanitized.
func NewRenderer() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough, extension.Linkify, extension.TaskList, extension.Typographer,
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(sayTransformer{}, 100)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(sayRenderer{}, 100), util.Prioritized(taskBoxRenderer{}, 100)),
		),
	)
	return &Renderer{md: md, policy: sanitizer()}
}

var classNames = regexp.MustCompile(`^(say-this|say-this-label|placeholder|task-box|task-box task-done|sr-only)$`)

// sanitizer is bluemonday's user-generated-content policy (no scripts,
// styles, event handlers, frames or objects; http, https and mailto URLs
// only) plus what rendered modules need: the say-this callout and
// task-list classes and table cell alignment.
func sanitizer() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(classNames).OnElements("aside", "p", "span")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	return p
}

// Render turns a module body into sanitized HTML, its table of contents
// and its plain text.
func (r *Renderer) Render(markdown string) (Rendered, error) {
	src := []byte(strings.NewReplacer(SnippetStart, "", SnippetEnd, "").Replace(normalize(markdown)))
	doc := r.md.Parser().Parse(text.NewReader(src))
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return Rendered{}, fmt.Errorf("catalog: render: %w", err)
	}
	out := Rendered{HTML: r.policy.Sanitize(buf.String()), TOC: []TOCEntry{}}
	var body strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock || n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		t := strings.TrimSpace(plainText(n, src))
		if h, ok := n.(*ast.Heading); ok {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			out.TOC = append(out.TOC, TOCEntry{Level: h.Level, ID: string(idb), Text: t})
		}
		if t != "" {
			body.WriteString(t)
			body.WriteString("\n")
		}
		return ast.WalkSkipChildren, nil
	})
	out.Text = body.String()
	return out, nil
}

// plainText is the text of a leaf block or inline node without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	switch n := n.(type) {
	case *sayBlock:
		return n.text
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		return b.String()
	}
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String: // the typographer's quotes and dashes, as entities
			b.WriteString(html.UnescapeString(string(c.Value)))
		case *ast.AutoLink:
			b.Write(c.Label(src))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// kindSay is the node kind of a "say this" callout.
var kindSay = ast.NewNodeKind("Say")

// sayBlock is a fenced block with the info string "say": words an agent
// should say, rendered as a callout.
type sayBlock struct {
	ast.BaseBlock
	text string
}

func (n *sayBlock) Kind() ast.NodeKind { return kindSay }

func (n *sayBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Text": n.text}, nil)
}

// sayTransformer replaces ```say fenced blocks by sayBlock nodes.
type sayTransformer struct{}

func (sayTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var found []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fb, ok := n.(*ast.FencedCodeBlock); ok && entering && string(fb.Language(src)) == "say" {
			found = append(found, fb)
		}
		return ast.WalkContinue, nil
	})
	for _, fb := range found {
		say := &sayBlock{text: plainText(fb, src)}
		fb.Parent().ReplaceChild(fb.Parent(), fb, say)
	}
}

// sayRenderer writes a sayBlock as <aside class="say-this">, one paragraph
// per blank-line-separated part, with [placeholders] marked up.
type sayRenderer struct{}

func (sayRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindSay, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		_, _ = w.WriteString(`<aside class="say-this"><p class="say-this-label">Say this</p>`)
		for _, para := range blankLine.Split(strings.TrimSpace(n.(*sayBlock).text), -1) {
			if para = strings.TrimSpace(para); para != "" {
				_, _ = w.WriteString("<p>" + placeholders(strings.Join(strings.Fields(para), " ")) + "</p>")
			}
		}
		_, _ = w.WriteString("</aside>\n")
		return ast.WalkSkipChildren, nil
	})
}

// taskBoxRenderer writes a task-list item's box ("- [ ]", "- [x]") as a
// span the web app draws as a box, rather than goldmark's disabled
// <input type="checkbox">: a module's checklist is a list to read, not a
// form, and an input there is a form field without a label. A ticked box
// says "(done)" to screen readers.
type taskBoxRenderer struct{}

func (taskBoxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.(*east.TaskCheckBox).IsChecked {
			_, _ = w.WriteString(`<span class="task-box task-done"><span class="sr-only">(done)</span></span>`)
		} else {
			_, _ = w.WriteString(`<span class="task-box"></span>`)
		}
		return ast.WalkContinue, nil
	})
}

var (
	placeholderRE = regexp.MustCompile(`\[[^\[\]\n]+\]`)
	blankLine     = regexp.MustCompile(`\n\s*\n`)
)

// placeholders escapes s and wraps each [placeholder] in a span.
func placeholders(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		b.WriteString(html.EscapeString(s[last:m[0]]))
		b.WriteString(`<span class="placeholder">` + html.EscapeString(s[m[0]:m[1]]) + `</span>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}
