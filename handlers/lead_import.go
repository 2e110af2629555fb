package handlers

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

// The lead import: upload a CSV (stored in the database, so any instance can
// continue), preview it with a column mapping the user can change, import the
// valid rows into a campaign in one transaction.

const importPreviewRows = 100

func (a *App) importForm(c echo.Context) error {
	return render(c, http.StatusOK, views.ImportPageView(a.page(c, "Import leads"), views.ImportPage{}))
}

func (a *App) uploadImport(c echo.Context) error {
	v := views.ImportPage{}
	fh, err := c.FormFile("file")
	if err != nil {
		v.Errs.Add("file", "Choose a CSV file to upload.")
		return render(c, http.StatusUnprocessableEntity, views.ImportPageView(a.page(c, "Import leads"), v))
	}
	if fh.Size > models.MaxImportBytes {
		v.Errs.Add("file", "The file is too large: at most 10 MB. Split it into smaller files.")
		return render(c, http.StatusUnprocessableEntity, views.ImportPageView(a.page(c, "Import leads"), v))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxImportBytes+1))
	if err != nil {
		return err
	}
	if _, err := models.ParseLeadCSV(data); err != nil {
		var ie *models.ErrImport
		if errors.As(err, &ie) {
			v.Errs.Add("file", ie.Msg+" Nothing was imported.")
			return render(c, http.StatusUnprocessableEntity, views.ImportPageView(a.page(c, "Import leads"), v))
		}
		return err
	}
	imp := models.LeadImport{UserID: currentUser(c).ID, Filename: truncate(filepath.Base(fh.Filename), 200), Content: string(data), CreatedAt: a.now().UTC()}
	if err := a.db.Create(&imp).Error; err != nil {
		return err
	}
	target := "/leads/import/" + idStr(imp.ID)
	if cid, ok := parseID(c.FormValue("campaign_id")); ok {
		target += "?campaign_id=" + idStr(cid)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

func (a *App) loadImport(c echo.Context) (*models.LeadImport, *models.ParsedCSV, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, nil, err
	}
	var imp models.LeadImport
	if err := a.db.Where("user_id = ?", currentUser(c).ID).First(&imp, id).Error; err != nil {
		return nil, nil, err
	}
	p, err := models.ParseLeadCSV([]byte(imp.Content))
	if err != nil {
		return nil, nil, err
	}
	return &imp, p, nil
}

func (a *App) previewImport(c echo.Context) error {
	imp, p, err := a.loadImport(c)
	if err != nil {
		return err
	}
	return a.renderImport(c, imp, p, models.AutoMapping(p.Header), importCampaign{ID: c.QueryParam("campaign_id")}, http.StatusOK)
}

// renderImport checks the rows through the mapping and shows the preview.
// importCampaign is the campaign field of the import as posted: its picker's
// id, typed name and matches, and its message.
type importCampaign struct {
	ID, Name string
	Matches  []views.Option
	Errs     views.Errors
}

func (a *App) renderImport(c echo.Context, imp *models.LeadImport, p *models.ParsedCSV, mapping []string, cf importCampaign, status int) error {
	v := views.ImportPage{ImportID: imp.ID, Filename: imp.Filename, Total: len(p.Rows), Errs: cf.Errs}
	in := views.In{Label: "Import into campaign", Name: "campaign_id", Errs: &v.Errs}
	var err error
	if v.Campaign, _, err = a.picker(models.CampaignPick{}, in, "campaign_name", cf.ID, cf.Name, cf.Matches, "No campaign"); err != nil {
		return err
	}
	for i, h := range p.Header {
		col := views.ImportColumn{Index: i, Header: h}
		if col.Header == "" {
			col.Header = "column " + strconv.Itoa(i+1)
		}
		for _, r := range p.Rows {
			if i < len(r) && strings.TrimSpace(r[i]) != "" {
				col.Sample = truncate(r[i], 40)
				break
			}
		}
		for _, fld := range models.ImportFields {
			col.Options = append(col.Options, views.Option{Value: fld.Key, Label: fld.Label, Selected: i < len(mapping) && mapping[i] == fld.Key})
		}
		v.Columns = append(v.Columns, col)
	}
	v.MappingErr = models.MappingProblem(mapping)
	if v.MappingErr == "" {
		rows, err := models.CheckImport(a.db, p, mapping)
		if err != nil {
			return err
		}
		// Flagged rows first, so problems are seen without scrolling 10,000 lines.
		order := make([]int, len(rows))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(x, y int) bool { return rows[order[x]].Problem != "" && rows[order[y]].Problem == "" })
		for _, i := range order {
			r := rows[i]
			switch {
			case r.Problem == "":
				v.Valid++
			case r.Duplicate:
				v.Duplicates++
			default:
				v.Invalid++
			}
			if len(v.Rows) < importPreviewRows {
				v.Rows = append(v.Rows, views.ImportPreviewRow{Line: strconv.Itoa(r.Line), PersonName: r.PersonName, CompanyName: r.CompanyName,
					Email: r.Email, Phone: r.Phone, Problem: r.Problem, Duplicate: r.Duplicate})
			}
		}
		v.Shown = len(v.Rows)
	} else if status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.ImportPageView(a.page(c, "Import leads: preview"), v))
}

func (a *App) runImport(c echo.Context) error {
	imp, p, err := a.loadImport(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return errBadForm
	}
	mapping := form["map"]
	for len(mapping) < len(p.Header) {
		mapping = append(mapping, models.ColIgnore)
	}
	mapping = mapping[:len(p.Header)]
	known := map[string]bool{}
	for _, f := range models.ImportFields {
		known[f.Key] = true
	}
	for i, m := range mapping {
		if !known[m] {
			mapping[i] = models.ColIgnore
		}
	}
	cf := importCampaign{ID: form.Get("campaign_id"), Name: form.Get("campaign_name")}
	cp, err := a.pickField(models.CampaignPick{}, "campaign_id", &cf.ID, &cf.Name, &cf.Matches, &cf.Errs, false)
	if err != nil {
		return err
	}
	if cf.Errs.Any() {
		return a.renderImport(c, imp, p, mapping, cf, http.StatusUnprocessableEntity)
	}
	var campaign *uint
	if cp != nil {
		campaign = &cp.ID
	}
	if form.Get("action") != "import" || models.MappingProblem(mapping) != "" {
		return a.renderImport(c, imp, p, mapping, cf, http.StatusOK)
	}
	rows, err := models.CheckImport(a.db, p, mapping)
	if err != nil {
		return err
	}
	n, err := models.ImportLeads(a.db, rows, campaign, currentUser(c), a.now().UTC())
	if err != nil {
		return err
	}
	if err := a.db.Delete(imp).Error; err != nil {
		return err
	}
	target := "/leads"
	if campaign != nil {
		target = "/campaigns/" + idStr(*campaign)
	}
	skipped := len(rows) - n
	msg := "Imported " + countNoun(int64(n), "lead", "leads") + "."
	if skipped > 0 {
		msg += " Skipped " + strconv.Itoa(skipped) + " invalid or duplicate rows."
	}
	return a.redirectWithFlash(c, target, msg)
}
