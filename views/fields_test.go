package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// A field with an error is marked for the style sheet, one without is not.
func TestFieldsMarkErrors(t *testing.T) {
	var errs Errors
	errs.Add("bad", "Enter a name.")
	for _, c := range []struct {
		name string
		comp func(In) templ.Component
		cls  string
	}{{"Input", Input, "field"}, {"TextArea", TextArea, "field wide"}, {"Select", Select, "field"}, {"Checkbox", Checkbox, "field check"}} {
		opts := []Option{{Value: "1", Label: "One"}}
		bad := htmlOf(t, c.comp(In{Label: "Bad", Name: "bad", Errs: &errs, Options: opts}))
		good := htmlOf(t, c.comp(In{Label: "Good", Name: "good", Errs: &errs, Options: opts}))
		if !strings.HasPrefix(bad, `<div class="`+c.cls+` has-error">`) || !strings.Contains(bad, "Enter a name.") {
			t.Errorf("%s with an error: %s", c.name, bad)
		}
		if !strings.HasPrefix(good, `<div class="`+c.cls+`">`) {
			t.Errorf("%s without an error: %s", c.name, good)
		}
	}
}

func htmlOf(t *testing.T, c templ.Component) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
