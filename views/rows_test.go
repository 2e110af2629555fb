package views

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"
)

// The components written in Go escape every value exactly as templ does, so
// the page is the same HTML and a hostile name stays text.
func TestHTMLWriterEscapesAsTempl(t *testing.T) {
	for _, s := range []string{"", "plain", `<script>alert("x")</script>`, `a & b`, `it's "quoted"`,
		"&&<<>>''\"\"", "\x00nul", "\xff\xfeinvalid", "ünïcødé €", `"><img src=x onerror=alert(1)>`} {
		var h htmlWriter
		h.text(s)
		if string(h.b) != html.EscapeString(s) {
			t.Errorf("text(%q) = %q; want %q", s, h.b, html.EscapeString(s))
		}
	}
}

func TestQuoteRowsEscapeNames(t *testing.T) {
	evil := `<script>alert(1)</script>"'&`
	lines := []QuoteLine{{ID: 7, Name: evil, Description: evil, Quantity: "1", Discount: "—"}, {ID: 8, Heading: true, Name: evil}}
	var b bytes.Buffer
	ctx := context.Background()
	if err := quoteLineRows(QuoteDoc{Internal: true}, lines).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if err := lineActionItems(3, lines).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if err := selectOptions([]Option{{Value: evil, Label: evil, Group: evil}}).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, `"'&"`) || strings.Contains(out, "csrf_token") {
		t.Fatalf("unescaped value in %s", out)
	}
	for _, want := range []string{`/quotes/3/items/7/edit`, `/quotes/3/items/8/move`, `colspan="8"`, `form="line-actions-form" formaction="/quotes/3/items/7/delete"`,
		`aria-label="Move &lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp; up"`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
	if strings.Contains(out, `/quotes/3/items/8/edit`) {
		t.Error("a heading has no edit link")
	}
}
