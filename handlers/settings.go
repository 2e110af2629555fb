package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// Admin › Features & Settings: opportunity stages and the picklists.

func (a *App) settings(c echo.Context) error {
	var stages int64
	if err := a.db.Model(&models.Stage{}).Count(&stages).Error; err != nil {
		return err
	}
	links := []views.SettingsLink{{URL: "/admin/stages", Name: "Opportunity stages", Count: countNoun(stages, "stage", "stages"),
		Description: "The steps of the sales process, each with its default probability; one is the won stage and one the lost stage."}}
	links = append(links,
		views.SettingsLink{URL: "/products", Name: "Product catalog", Description: "What quotes are built from: products, services, labor, with prices, costs and periods."},
		views.SettingsLink{URL: "/admin/tax-rates", Name: "Tax rates", Description: "The tax rates a quote can apply to its taxable lines."},
		views.SettingsLink{URL: "/admin/payment-terms", Name: "Payment terms", Description: "The payment terms printed on quotes."})
	if featuresOf(c).On(models.FeatureQuoteManager) {
		links = append(links, views.SettingsLink{URL: "/admin/quote-manager", Name: "Quote Manager integration",
			Description: "The external quoting tool: its name and address, the API key it sends quotes with, and the log of its calls."})
	}
	for _, d := range models.PicklistDefs {
		var n int64
		if err := a.db.Model(&models.PicklistValue{}).Where("kind = ?", d.Kind).Count(&n).Error; err != nil {
			return err
		}
		links = append(links, views.SettingsLink{URL: "/admin/picklists/" + string(d.Kind), Name: d.Name,
			Count: countNoun(n, "value", "values"), Description: "The " + d.Name + " offered on opportunities."})
	}
	var next models.Setting
	if err := a.db.First(&next, "key = ?", "next_quote_number").Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	status, errs := http.StatusOK, views.Errors{}
	value := next.Value
	if v, ok := c.Get("quote_number_input").(string); ok {
		status, value = http.StatusUnprocessableEntity, v
		errs.Add("next_quote_number", "Enter a whole number from 1 to 999999999.")
	}
	return render(c, status, views.SettingsPage(a.page(c, "Features & Settings"), links, value, errs))
}

func (a *App) setQuoteNumber(c echo.Context) error {
	v := strings.TrimSpace(c.FormValue("next_quote_number"))
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 999999999 {
		c.Set("quote_number_input", v)
		return a.settings(c)
	}
	if err := a.db.Model(&models.Setting{}).Where("key = ?", "next_quote_number").Update("value", strconv.Itoa(n)).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/settings", "The next quote will be number "+strconv.Itoa(n)+" (or the first free number after it).")
}

// picklistOf reads the :kind parameter; an unknown kind is a 404.
func picklistOf(c echo.Context) (models.PicklistDef, error) {
	d, ok := models.PicklistDefFor(c.Param("kind"))
	if !ok {
		return d, errNotFound
	}
	return d, nil
}

func (a *App) valueList(c echo.Context, d *models.PicklistDef) (views.ValueList, error) {
	if d == nil {
		return views.ValueList{Base: "/admin/stages", Singular: "stage", Stages: true}, nil
	}
	return views.ValueList{Base: "/admin/picklists/" + string(d.Kind), Singular: d.Singular, HasColour: d.HasColour}, nil
}

func (a *App) renderValueList(c echo.Context, d *models.PicklistDef, status int, form views.ValueForm) error {
	v, err := a.valueList(c, d)
	if err != nil {
		return err
	}
	v.Form = form
	title := "Opportunity stages"
	if d == nil {
		var stages []models.Stage
		if err := a.db.Order("position, id").Find(&stages).Error; err != nil {
			return err
		}
		for i, s := range stages {
			n, err := models.StageUses(a.db, s.ID)
			if err != nil {
				return err
			}
			r := views.ValueRow{ID: s.ID, Name: s.Name, Probability: strconv.Itoa(s.DefaultProbability) + "%", Active: s.Active,
				Uses: countNoun(n, "opportunity", "opportunities"), First: i == 0, Last: i == len(stages)-1}
			if s.IsWon {
				r.Marks = "Won stage"
			} else if s.IsLost {
				r.Marks = "Lost stage"
			}
			v.Rows = append(v.Rows, r)
		}
	} else {
		title = d.Name
		vs, err := models.Picklist(a.db, d.Kind, true, nil)
		if err != nil {
			return err
		}
		for i := range vs {
			n, err := models.PicklistUses(a.db, &vs[i])
			if err != nil {
				return err
			}
			v.Rows = append(v.Rows, views.ValueRow{ID: vs[i].ID, Name: vs[i].Name, Description: vs[i].Description, Colour: vs[i].Colour,
				Active: vs[i].Active, Uses: countNoun(n, "opportunity", "opportunities"), First: i == 0, Last: i == len(vs)-1})
		}
	}
	return render(c, status, views.ValueListPage(a.page(c, title), v))
}

func (a *App) listStages(c echo.Context) error {
	return a.renderValueList(c, nil, http.StatusOK, views.ValueForm{Active: "on", Probability: "50"})
}

func (a *App) listPicklist(c echo.Context) error {
	d, err := picklistOf(c)
	if err != nil {
		return err
	}
	return a.renderValueList(c, &d, http.StatusOK, views.ValueForm{Active: "on"})
}

// bindValue reads and checks the value form; a name already in the list is refused.
func (a *App) bindValue(c echo.Context, d *models.PicklistDef, id uint) (views.ValueForm, error) {
	var f views.ValueForm
	if err := c.Bind(&f); err != nil {
		return f, errBadForm
	}
	f.ID = id
	f.Validate(d == nil)
	if !f.Errs.Any() {
		var n int64
		q := a.db.Where("LOWER(name) = ? AND id <> ?", strings.ToLower(strings.TrimSpace(f.Name)), id)
		if d == nil {
			q = q.Model(&models.Stage{})
		} else {
			q = q.Model(&models.PicklistValue{}).Where("kind = ?", d.Kind)
		}
		if err := q.Count(&n).Error; err != nil {
			return f, err
		}
		if n > 0 {
			f.Errs.Add("name", "There is already a value with this name.")
		}
	}
	return f, nil
}

func (a *App) createStage(c echo.Context) error {
	f, err := a.bindValue(c, nil, 0)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.renderValueList(c, nil, http.StatusUnprocessableEntity, f)
	}
	s := stageFromForm(f, &models.Stage{})
	if err := models.SaveStage(a.db, s); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/stages", "Added the stage “"+s.Name+"”.")
}

func stageFromForm(f views.ValueForm, s *models.Stage) *models.Stage {
	s.Name = strings.TrimSpace(f.Name)
	s.DefaultProbability, _ = strconv.Atoi(strings.TrimSpace(f.Probability))
	s.IsWon, s.IsLost, s.Active = f.IsWon == "on", f.IsLost == "on", f.Active == "on"
	return s
}

func (a *App) loadStage(c echo.Context) (*models.Stage, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var s models.Stage
	if err := a.db.First(&s, id).Error; err != nil {
		return nil, err
	}
	return &s, nil
}

func (a *App) editStage(c echo.Context) error {
	s, err := a.loadStage(c)
	if err != nil {
		return err
	}
	v, _ := a.valueList(c, nil)
	f := views.ValueForm{ID: s.ID, Name: s.Name, Probability: strconv.Itoa(s.DefaultProbability),
		IsWon: onOff(s.IsWon), IsLost: onOff(s.IsLost), Active: onOff(s.Active)}
	return render(c, http.StatusOK, views.ValueEditPage(a.page(c, "Edit stage “"+s.Name+"”"), v, f))
}

func (a *App) updateStage(c echo.Context) error {
	s, err := a.loadStage(c)
	if err != nil {
		return err
	}
	f, err := a.bindValue(c, nil, s.ID)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		v, _ := a.valueList(c, nil)
		return render(c, http.StatusUnprocessableEntity, views.ValueEditPage(a.page(c, "Edit stage “"+s.Name+"”"), v, f))
	}
	if err := models.SaveStage(a.db, stageFromForm(f, s)); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/stages", "Saved the stage “"+s.Name+"”.")
}

func (a *App) moveStage(c echo.Context) error {
	s, err := a.loadStage(c)
	if err != nil {
		return err
	}
	if err := models.MovePosition(a.db, "opportunity_stages", s.ID, c.FormValue("dir") == "up", "1 = 1"); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/stages", "Moved “"+s.Name+"”.")
}

func (a *App) confirmDeleteStage(c echo.Context) error {
	s, err := a.loadStage(c)
	if err != nil {
		return err
	}
	refusal := ""
	if n, err := models.StageUses(a.db, s.ID); err != nil {
		return err
	} else if n > 0 {
		refusal = (&models.ErrInUse{Name: "“" + s.Name + "”", Uses: n}).Error() + "."
	}
	p := a.page(c, "Delete the stage “"+s.Name+"”?")
	return render(c, http.StatusOK, views.ConfirmDeletePage(p, "The stage “"+s.Name+"” is used by no opportunity. Deleting it cannot be undone.",
		refusal, "/admin/stages/"+idStr(s.ID)+"/delete", "/admin/stages"))
}

func (a *App) deleteStage(c echo.Context) error {
	s, err := a.loadStage(c)
	if err != nil {
		return err
	}
	var inUse *models.ErrInUse
	if err := models.DeleteStage(a.db, s); errors.As(err, &inUse) {
		return a.redirectWithFlash(c, "/admin/stages", "Not deleted: "+inUse.Error()+".")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/stages", "Deleted the stage “"+s.Name+"”.")
}

func (a *App) loadValue(c echo.Context) (models.PicklistDef, *models.PicklistValue, error) {
	d, err := picklistOf(c)
	if err != nil {
		return d, nil, err
	}
	id, err := paramID(c)
	if err != nil {
		return d, nil, err
	}
	var v models.PicklistValue
	if err := a.db.Where("kind = ?", d.Kind).First(&v, id).Error; err != nil {
		return d, nil, err
	}
	return d, &v, nil
}

func valueFromForm(f views.ValueForm, v *models.PicklistValue, colour bool) {
	v.Name, v.Description, v.Active = strings.TrimSpace(f.Name), strings.TrimSpace(f.Description), f.Active == "on"
	if colour {
		v.Colour = strings.ToLower(f.Colour)
	}
}

func (a *App) createValue(c echo.Context) error {
	d, err := picklistOf(c)
	if err != nil {
		return err
	}
	f, err := a.bindValue(c, &d, 0)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.renderValueList(c, &d, http.StatusUnprocessableEntity, f)
	}
	pos, err := models.NextPosition(a.db, "picklist_values", "kind = ?", d.Kind)
	if err != nil {
		return err
	}
	v := models.PicklistValue{Kind: d.Kind, Position: pos}
	valueFromForm(f, &v, d.HasColour)
	if err := a.db.Create(&v).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			f.Errs.Add("name", "There is already a value with this name.")
			return a.renderValueList(c, &d, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	return a.redirectWithFlash(c, "/admin/picklists/"+string(d.Kind), "Added “"+v.Name+"”.")
}

func (a *App) editValue(c echo.Context) error {
	d, v, err := a.loadValue(c)
	if err != nil {
		return err
	}
	l, _ := a.valueList(c, &d)
	f := views.ValueForm{ID: v.ID, Name: v.Name, Description: v.Description, Colour: v.Colour, Active: onOff(v.Active)}
	return render(c, http.StatusOK, views.ValueEditPage(a.page(c, "Edit “"+v.Name+"”"), l, f))
}

func (a *App) updateValue(c echo.Context) error {
	d, v, err := a.loadValue(c)
	if err != nil {
		return err
	}
	f, err := a.bindValue(c, &d, v.ID)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		l, _ := a.valueList(c, &d)
		return render(c, http.StatusUnprocessableEntity, views.ValueEditPage(a.page(c, "Edit “"+v.Name+"”"), l, f))
	}
	valueFromForm(f, v, d.HasColour)
	if err := a.db.Model(v).Select("Name", "Description", "Colour", "Active").Updates(v).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/picklists/"+string(d.Kind), "Saved “"+v.Name+"”.")
}

func (a *App) moveValue(c echo.Context) error {
	d, v, err := a.loadValue(c)
	if err != nil {
		return err
	}
	if err := models.MovePosition(a.db, "picklist_values", v.ID, c.FormValue("dir") == "up", "kind = ?", d.Kind); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/picklists/"+string(d.Kind), "Moved “"+v.Name+"”.")
}

func (a *App) confirmDeleteValue(c echo.Context) error {
	d, v, err := a.loadValue(c)
	if err != nil {
		return err
	}
	refusal := ""
	if n, err := models.PicklistUses(a.db, v); err != nil {
		return err
	} else if n > 0 {
		refusal = (&models.ErrInUse{Name: "“" + v.Name + "”", Uses: n}).Error() + "."
	}
	base := "/admin/picklists/" + string(d.Kind)
	p := a.page(c, "Delete “"+v.Name+"”?")
	return render(c, http.StatusOK, views.ConfirmDeletePage(p, "“"+v.Name+"” is used by no opportunity. Deleting it cannot be undone.",
		refusal, base+"/"+idStr(v.ID)+"/delete", base))
}

func (a *App) deleteValue(c echo.Context) error {
	d, v, err := a.loadValue(c)
	if err != nil {
		return err
	}
	base := "/admin/picklists/" + string(d.Kind)
	var inUse *models.ErrInUse
	if err := models.DeletePicklistValue(a.db, v); errors.As(err, &inUse) {
		return a.redirectWithFlash(c, base, "Not deleted: "+inUse.Error()+".")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, base, "Deleted “"+v.Name+"”.")
}
