package catalog_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

func TestRenderStripsExecutableContent(t *testing.T) {
	t.Parallel()
	r := catalog.NewRenderer()
	cases := []struct {
		name, markdown string
		mustNot        []string // lower-cased substrings that must not appear
	}{
		{"script block", "<script>alert(1)</script>", []string{"<script"}},
		{"script inline", "hello <script>alert(1)</script> world", []string{"<script"}},
		{"script mixed case", "<ScRiPt>alert(1)</sCrIpT>", []string{"<script"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"javascript:"}},
		{"javascript mixed case", "[click](JaVaScRiPt:alert(1))", []string{"javascript:"}},
		{"javascript colon entity", "[click](javascript&colon;alert(1))", []string{"javascript"}},
		{"javascript numeric entities", "[click](&#106;avascript:alert(1))", []string{"javascript"}},
		{"javascript hex entities", "[click](&#x6A;&#x61;vascript:alert(1))", []string{"javascript"}},
		{"javascript tab inside", "[click](java\tscript:alert(1))", []string{"href"}},
		{"javascript reference link", "[click][x]\n\n[x]: javascript:alert(1)", []string{"javascript:"}},
		{"javascript autolink", "<javascript:alert(1)>", []string{"href=\"javascript"}},
		{"vbscript link", "[click](vbscript:msgbox(1))", []string{"vbscript:"}},
		{"data link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"data:"}},
		{"data image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", []string{"data:"}},
		{"data image png", "![x](data:image/png;base64,iVBORw0KGgo=)", []string{"data:"}},
		{"javascript image", "![x](javascript:alert(1))", []string{"javascript:"}},
		{"img onerror raw", `<img src=x onerror=alert(1)>`, []string{"onerror"}},
		{"onclick raw inline", `text <a href="#" onclick="alert(1)">x</a>`, []string{"onclick"}},
		{"svg onload", `<svg onload=alert(1)></svg>`, []string{"<svg", "onload"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe"}},
		{"object", `<object data="x.swf"></object>`, []string{"<object"}},
		{"style expression", `<div style="width: expression(alert(1))">x</div>`, []string{"style", "expression"}},
		{"style element", `<style>body{background:url(javascript:alert(1))}</style>`, []string{"<style"}},
		{"raw html in list", "- item <img src=x onerror=alert(1)>", []string{"onerror"}},
		{"raw html block in table", "| a |\n|---|\n| <script>x</script> |", []string{"<script"}},
		{"link title breakout", `[x](https://ok.example "a\" onmouseover=\"alert(1)")`, []string{"onmouseover=\""}},
		{"html in say callout", "```say\n<script>alert(1)</script> [name]\n```", []string{"<script"}},
		{"html in heading", "# <img src=x onerror=alert(1)> Title", []string{"<img"}},
		{"form", `<form action="javascript:alert(1)"><input type="submit"></form>`, []string{"<form", "submit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.markdown)
			if err != nil {
				t.Fatal(err)
			}
			if why := unsafeHTML(out.HTML); why != "" {
				t.Errorf("got %q: %s, want no executable HTML", out.HTML, why)
			}
			for _, bad := range tc.mustNot {
				if strings.Contains(strings.ToLower(out.HTML), bad) {
					t.Errorf("got %q, want no %q", out.HTML, bad)
				}
			}
		})
	}
}

func TestRenderMarkdownFeatures(t *testing.T) {
	t.Parallel()
	r := catalog.NewRenderer()
	cases := []struct {
		name, markdown string
		want           []string
	}{
		{"table with alignment", "| card | fee |\n|:-----|----:|\n| Classic | $0 |", []string{"<table>", `<th align="left">card</th>`, `<td align="right">$0</td>`}},
		{"task list", "- [x] done\n- [ ] todo", []string{`<li><span class="task-box task-done"><span class="sr-only">(done)</span></span>done</li>`, `<li><span class="task-box"></span>todo</li>`}},
		{"strikethrough", "~~old fee~~", []string{"<del>old fee</del>"}},
		{"autolink", "see https://northbank.example/help", []string{`<a href="https://northbank.example/help" rel="nofollow">`}},
		{"typographer", `"quoted" -- dash...`, []string{"“quoted”", "–", "…"}},
		{"heading ids", "# Card fees\n\n## Card fees", []string{`<h1 id="card-fees">`, `<h2 id="card-fees-1">`}},
		{"say callout", "```say\nHello, this is [your name] from Northbank.\n\nHow can I help?\n```",
			[]string{`<aside class="say-this">`, `<span class="placeholder">[your name]</span>`, "<p>How can I help?</p>"}},
		{"other fences stay code", "```go\nx := 1\n```", []string{"<pre><code", "x := 1"}},
		{"links kept", "[help](https://northbank.example/help) [rel](/modules/x)", []string{`href="https://northbank.example/help"`, `href="/modules/x"`}},
		{"mailto kept", "[mail](mailto:help@northbank.example)", []string{`href="mailto:help@northbank.example"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.markdown)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.HTML, w) {
					t.Errorf("got %q, want it to contain %q", out.HTML, w)
				}
			}
			if why := unsafeHTML(out.HTML); why != "" {
				t.Errorf("got %q: %s", out.HTML, why)
			}
		})
	}
}

func TestRenderTOCAndText(t *testing.T) {
	t.Parallel()
	out, err := catalog.NewRenderer().Render("# Cards -- \"overview\"\n\nIntro *text*.\n\n## Fees & rates\n\n### `APR` rules\n\n## Fees & rates\n\n```say\nSay [this].\n```\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.TOCEntry{
		{Level: 1, ID: "cards----overview", Text: "Cards – “overview”"},
		{Level: 2, ID: "fees--rates", Text: "Fees & rates"},
		{Level: 3, ID: "apr-rules", Text: "APR rules"},
		{Level: 2, ID: "fees--rates-1", Text: "Fees & rates"},
	}
	if !reflect.DeepEqual(out.TOC, want) {
		t.Errorf("got TOC %+v, want %+v", out.TOC, want)
	}
	for _, e := range want {
		if !strings.Contains(out.HTML, `id="`+e.ID+`"`) {
			t.Errorf("got %q, want a heading with id %q", out.HTML, e.ID)
		}
	}
	wantText := "Cards – “overview”\nIntro text.\nFees & rates\nAPR rules\nFees & rates\nSay [this].\n"
	if out.Text != wantText {
		t.Errorf("got text %q, want %q", out.Text, wantText)
	}
}

func TestHighlightHTMLEscapes(t *testing.T) {
	t.Parallel()
	got := catalog.HighlightHTML("a <b> " + catalog.SnippetStart + "fee" + catalog.SnippetEnd + " & more")
	want := "a &lt;b&gt; <mark>fee</mark> &amp; more"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	out, _ := catalog.NewRenderer().Render("x " + catalog.SnippetStart + "y" + catalog.SnippetEnd)
	if strings.Contains(out.Text, catalog.SnippetStart) || strings.Contains(out.HTML, catalog.SnippetEnd) {
		t.Errorf("got %q, want the snippet markers removed from module text", out.Text)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"# Title\n\n[x](javascript:alert(1))", "<img src=x onerror=alert(1)>", "```say\n[name]\n```", "| a |\n|---|\n| b |"} {
		f.Add(s)
	}
	r := catalog.NewRenderer()
	f.Fuzz(func(t *testing.T, markdown string) {
		out, err := r.Render(markdown)
		if err != nil {
			t.Fatal(err)
		}
		if why := unsafeHTML(out.HTML); why != "" {
			t.Fatalf("got %q from %q: %s", out.HTML, markdown, why)
		}
	})
}
