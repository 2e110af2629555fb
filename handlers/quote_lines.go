package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

// A new quote line and the catalog. One rule, fillLine, whatever fills the
// form: every field of the new line's form left empty (a select left on
// "From product") takes the chosen product's value, and what the user
// entered wins. Without a product the empty fields take freeLine's. With
// JavaScript the editor's script fills the form as soon as a product is
// chosen, with the same values (productLine, from GET /quotes/products/:id),
// so the form shows what will be stored before it is sent. An edit of a line
// never goes back to the catalog: it stores what its form holds.

// freeLine is what a new line without a product takes for what its form
// leaves empty or on "From product": a taxable one-time Product.
var freeLine = views.ItemForm{Kind: string(models.KindProduct), Period: string(models.OneTime), Taxable: "on"}

// productLine is the form of a new line of the catalog product p, as far as
// the catalog fills it.
func productLine(p *models.Product) views.ItemForm {
	return views.ItemForm{Kind: string(p.Type), Name: p.Name, Description: p.Description,
		UnitPrice: p.UnitPrice.Input0(), UnitCost: p.UnitCost.Input0(), Period: string(p.Period), Taxable: yesNo(p.Taxable)}
}

// fillLine fills the fields of f that are empty with those of from.
func fillLine(f *views.ItemForm, from views.ItemForm) {
	for _, fl := range []struct{ dst, v *string }{
		{&f.Kind, &from.Kind}, {&f.Name, &from.Name}, {&f.Description, &from.Description}, {&f.UnitPrice, &from.UnitPrice},
		{&f.UnitCost, &from.UnitCost}, {&f.Period, &from.Period}, {&f.Taxable, &from.Taxable},
	} {
		if strings.TrimSpace(*fl.dst) == "" {
			*fl.dst = *fl.v
		}
	}
}

// yesNo is a yes/no select's value: "on" or "off" (a checkbox's "on" or
// nothing cannot say "left as it was").
func yesNo(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// productLineFields is productLine as JSON, keyed by the form's field names.
type productLineFields struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Description string `json:"description"`
	UnitPrice   string `json:"unit_price"`
	UnitCost    string `json:"unit_cost"`
	Period      string `json:"period"`
	Taxable     string `json:"taxable"`
}

// productLineJSON answers GET /quotes/products/:id: what a new line of the
// active product :id takes from the catalog, for the editor's script to fill
// the form with when the product is chosen. Gated as the editor (whoever may
// add a line sees its form filled with these, unit cost included).
func (a *App) productLineJSON(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var p models.Product
	if err := a.read.Where("active = ?", true).First(&p, id).Error; err != nil {
		return err
	}
	l := productLine(&p)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, productLineFields{Kind: l.Kind, Name: l.Name, Description: l.Description,
		UnitPrice: l.UnitPrice, UnitCost: l.UnitCost, Period: l.Period, Taxable: l.Taxable})
}

// newLineForm is the editor's empty form for the next line: quantity 1, the
// rest from the product chosen (or freeLine's).
func newLineForm() views.ItemForm { return views.ItemForm{Quantity: "1"} }
