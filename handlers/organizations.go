package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

func (a *App) listOrganizations(c echo.Context) error {
	q := c.QueryParams()
	f := models.OrgFilter{Text: truncate(q.Get("q"), 200)}
	if t := models.OrgType(q.Get("type")); t.Valid() {
		f.Type = t
	}
	p := models.NewPage(pageNumber(q.Get("page")))
	orgs, more, err := models.ListOrganizations(a.db, f, p)
	if err != nil {
		return err
	}
	v := views.OrgListPage{Text: f.Text, Pager: pager("/organizations", q, p, len(orgs), more)}
	v.Types = append([]views.Option{{Value: "", Label: "All types", Selected: f.Type == ""}}, orgTypeOptions(string(f.Type))...)
	for _, o := range orgs {
		r := views.OrgRow{ID: o.ID, Name: o.Name, Type: o.Type.Label(), City: o.City, Phone: o.Phone}
		if o.Owner != nil {
			r.Owner = o.Owner.Name
		}
		v.Rows = append(v.Rows, r)
	}
	return render(c, http.StatusOK, views.OrganizationsPage(a.page(c, "Organizations"), v))
}

func orgTypeOptions(selected string) []views.Option {
	var opts []views.Option
	for _, t := range models.OrgTypes {
		opts = append(opts, views.Option{Value: string(t), Label: t.Label(), Selected: string(t) == selected})
	}
	return opts
}

func (a *App) loadOrganization(c echo.Context) (*models.Organization, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var o models.Organization
	if err := a.db.Preload("Owner").First(&o, id).Error; err != nil {
		return nil, err
	}
	return &o, nil
}

func (a *App) showOrganization(c echo.Context) error {
	o, err := a.loadOrganization(c)
	if err != nil {
		return err
	}
	p := models.NewPage(pageNumber(c.QueryParam("page")))
	contacts, more, err := models.ContactsOf(a.db, o.ID, p)
	if err != nil {
		return err
	}
	v := views.OrgView{ID: o.ID, Name: o.Name, Type: o.Type.Label(), Phone: o.Phone, Website: o.Website,
		ContactPager: pager("/organizations/"+idStr(o.ID), c.QueryParams(), p, len(contacts), more)}
	for _, l := range []string{o.Address, strings.TrimSpace(o.PostalCode + " " + o.City), o.Country} {
		if l != "" {
			v.Address = append(v.Address, l)
		}
	}
	if o.Owner != nil {
		v.Owner = o.Owner.Name
	}
	for _, ct := range contacts {
		v.Contacts = append(v.Contacts, views.ContactRow{ID: ct.ID, Name: ct.FullName(), Title: ct.Title, Email: ct.Email, Phone: ct.Phone})
	}
	if featuresOf(c).On(models.FeatureSales) {
		rows, _, err := models.ListOpportunities(a.db, models.OppFilter{OrganizationID: o.ID, Sort: "close", Desc: true}, models.Page{Number: 1, Size: 100})
		if err != nil {
			return err
		}
		v.Opportunities = oppRows(rows, a.now())
	}
	if f := featuresOf(c); f.On(models.FeatureSales) && f.On(models.FeatureProcurement) {
		if v.Purchases, err = a.vendorOrders(c, o); err != nil {
			return err
		}
	}
	return render(c, http.StatusOK, views.OrganizationPage(a.page(c, o.Name), v))
}

func (a *App) newOrganization(c echo.Context) error {
	u := currentUser(c)
	f := views.OrgForm{Type: "prospect", OwnerID: idStr(u.ID)}
	if c.QueryParam("for") == "opportunity" {
		f.ForOpportunity = "on"
	}
	if err := a.fillOrgChoices(&f, nil); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OrganizationFormPage(a.page(c, "New organization"), f))
}

func (a *App) editOrganization(c echo.Context) error {
	o, err := a.loadOrganization(c)
	if err != nil {
		return err
	}
	f := views.OrgForm{ID: o.ID, Name: o.Name, Type: string(o.Type), Address: o.Address, City: o.City,
		PostalCode: o.PostalCode, Country: o.Country, Phone: o.Phone, Website: o.Website}
	if o.OwnerID != nil {
		f.OwnerID = idStr(*o.OwnerID)
	}
	if err := a.fillOrgChoices(&f, o.OwnerID); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OrganizationFormPage(a.page(c, "Edit "+o.Name), f))
}

// fillOrgChoices loads the form's options; keepOwner stays offered even if deactivated.
func (a *App) fillOrgChoices(f *views.OrgForm, keepOwner *uint) error {
	var keep uint
	if keepOwner != nil {
		keep = *keepOwner
	}
	users, err := models.OwnerChoices(a.db, keep)
	if err != nil {
		return err
	}
	f.Types = orgTypeOptions(f.Type)
	f.Owners = userOptions(users, f.OwnerID, "No owner")
	return nil
}

func (a *App) createOrganization(c echo.Context) error {
	return a.saveOrganization(c, &models.Organization{})
}

func (a *App) updateOrganization(c echo.Context) error {
	o, err := a.loadOrganization(c)
	if err != nil {
		return err
	}
	return a.saveOrganization(c, o)
}

// saveOrganization validates the form and creates (o.ID == 0) or updates o.
func (a *App) saveOrganization(c echo.Context, o *models.Organization) error {
	var f views.OrgForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = o.ID
	f.Validate()
	if t := models.OrgType(f.Type); !t.Valid() {
		f.Errs.Add("type", "Choose a type from the list.")
	}
	var ownerID *uint
	if f.OwnerID != "" {
		id, ok := parseID(f.OwnerID)
		var owner models.User
		if ok {
			keep := uint(0)
			if o.OwnerID != nil {
				keep = *o.OwnerID
			}
			err := a.db.Where("active = ? OR id = ?", true, keep).Select("id").First(&owner, id).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			ok = err == nil
		}
		if !ok {
			f.Errs.Add("owner_id", "Choose an active user as the owner.")
		}
		ownerID = &id
	}
	title := "New organization"
	if o.ID != 0 {
		title = "Edit " + o.Name
	}
	if f.Errs.Any() {
		if err := a.fillOrgChoices(&f, o.OwnerID); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.OrganizationFormPage(a.page(c, title), f))
	}
	o.Name, o.Type = strings.TrimSpace(f.Name), models.OrgType(f.Type)
	o.Address, o.City, o.PostalCode = strings.TrimSpace(f.Address), strings.TrimSpace(f.City), strings.TrimSpace(f.PostalCode)
	o.Country, o.Phone, o.Website = strings.TrimSpace(f.Country), strings.TrimSpace(f.Phone), strings.TrimSpace(f.Website)
	o.OwnerID, o.Owner = ownerID, nil
	verb := "Saved"
	if o.ID == 0 {
		verb = "Created"
	}
	created := o.ID == 0
	if err := a.db.Save(o).Error; err != nil {
		return err
	}
	if created && f.ForOpportunity != "" && featuresOf(c).On(models.FeatureSales) {
		// Made from the new opportunity form: back to it, with it chosen.
		return a.redirectWithFlash(c, "/opportunities/new?organization_id="+idStr(o.ID), "Created "+o.Name+". Now the opportunity.")
	}
	return a.redirectWithFlash(c, "/organizations/"+idStr(o.ID), verb+" "+o.Name+".")
}

func (a *App) newContact(c echo.Context) error {
	o, err := a.loadOrganization(c)
	if err != nil {
		return err
	}
	f := views.ContactForm{OrgID: o.ID, OrgName: o.Name}
	return render(c, http.StatusOK, views.ContactFormPage(a.page(c, "New contact"), f))
}

func (a *App) createContact(c echo.Context) error {
	o, err := a.loadOrganization(c)
	if err != nil {
		return err
	}
	return a.saveContact(c, &models.Contact{OrganizationID: o.ID, Organization: o})
}

func (a *App) loadContact(c echo.Context) (*models.Contact, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var ct models.Contact
	if err := a.db.Preload("Organization").First(&ct, id).Error; err != nil {
		return nil, err
	}
	return &ct, nil
}

func (a *App) editContact(c echo.Context) error {
	ct, err := a.loadContact(c)
	if err != nil {
		return err
	}
	f := views.ContactForm{ID: ct.ID, OrgID: ct.OrganizationID, OrgName: ct.Organization.Name, FirstName: ct.FirstName,
		LastName: ct.LastName, Title: ct.Title, Email: ct.Email, Phone: ct.Phone}
	return render(c, http.StatusOK, views.ContactFormPage(a.page(c, "Edit "+ct.FullName()), f))
}

func (a *App) updateContact(c echo.Context) error {
	ct, err := a.loadContact(c)
	if err != nil {
		return err
	}
	return a.saveContact(c, ct)
}

func (a *App) saveContact(c echo.Context, ct *models.Contact) error {
	var f views.ContactForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID, f.OrgID, f.OrgName = ct.ID, ct.OrganizationID, ct.Organization.Name
	f.Validate()
	if f.Errs.Any() {
		title := "New contact"
		if ct.ID != 0 {
			title = "Edit " + ct.FullName()
		}
		return render(c, http.StatusUnprocessableEntity, views.ContactFormPage(a.page(c, title), f))
	}
	ct.FirstName, ct.LastName, ct.Title = strings.TrimSpace(f.FirstName), strings.TrimSpace(f.LastName), strings.TrimSpace(f.Title)
	ct.Email, ct.Phone = models.NormalizeEmail(f.Email), strings.TrimSpace(f.Phone)
	verb := "Saved"
	if ct.ID == 0 {
		verb = "Added"
	}
	ct.Organization = nil
	if err := a.db.Save(ct).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/organizations/"+idStr(ct.OrganizationID), verb+" contact "+ct.FullName()+".")
}
