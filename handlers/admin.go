package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// activationRows shapes the stored feature states for the Activations page.
func (a *App) activationRows() ([]views.ActivationRow, error) {
	states, err := models.ListFeatures(a.db)
	if err != nil {
		return nil, err
	}
	name := func(key string) string {
		d, _ := models.FeatureDefFor(key)
		return d.Name
	}
	var rows []views.ActivationRow
	for _, d := range models.FeatureDefs {
		st := states[d.Key]
		r := views.ActivationRow{Key: d.Key, Name: d.Name, Description: d.Description, Active: st.Active}
		if d.Needs != "" {
			r.Needs, r.NeedsOn = name(d.Needs), states[d.Needs].Active
		}
		if st.ChangedAt != nil {
			r.ChangedAt = st.ChangedAt.UTC().Format("2 Jan 2006 15:04 UTC")
			r.ChangedBy = "a deleted user"
			if st.ChangedBy != nil {
				r.ChangedBy = st.ChangedBy.Name
			}
		}
		if !st.Active && st.OffWith != nil {
			r.OffWith = name(*st.OffWith)
		}
		// What activating it turns back on, in the order SetFeature does.
		if !st.Active {
			for _, dep := range models.Dependents(d.Key) {
				if s := states[dep.Key]; !s.Active && s.OffWith != nil && *s.OffWith == d.Key {
					r.BringsBack = append(r.BringsBack, dep.Name)
				}
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// activationChanges is the change log of the Activations page: the last 20
// changes, newest first.
func (a *App) activationChanges() ([]views.ActivationChange, error) {
	changes, err := models.RecentFeatureChanges(a.db, 20)
	if err != nil {
		return nil, err
	}
	out := make([]views.ActivationChange, len(changes))
	for i, ch := range changes {
		d, _ := models.FeatureDefFor(ch.FeatureKey)
		row := views.ActivationChange{When: ch.CreatedAt.UTC().Format("2 Jan 2006 15:04 UTC"), ISO: ch.CreatedAt.UTC().Format(time.RFC3339),
			Feature: d.Name, Change: "Deactivated", By: "System"}
		if ch.Active {
			row.Change = "Activated"
		}
		if ch.WithFeature != nil {
			w, _ := models.FeatureDefFor(*ch.WithFeature)
			row.With = w.Name
		}
		if ch.User != nil {
			row.By = ch.User.Name
		} else if ch.UserID != nil {
			row.By = "a deleted user"
		}
		out[i] = row
	}
	return out, nil
}

// renderActivations draws the Activations page, with errMsg at the top when
// a change was refused.
func (a *App) renderActivations(c echo.Context, status int, errMsg string) error {
	rows, err := a.activationRows()
	if err != nil {
		return err
	}
	changes, err := a.activationChanges()
	if err != nil {
		return err
	}
	return render(c, status, views.ActivationsPage(a.page(c, "Activations"), rows, changes, errMsg))
}

func (a *App) activations(c echo.Context) error {
	return a.renderActivations(c, http.StatusOK, "")
}

func (a *App) confirmDeactivate(c echo.Context) error {
	def, ok := models.FeatureDefFor(c.Param("key"))
	if !ok {
		return errNotFound
	}
	var also, stay []string
	for _, d := range models.Dependents(def.Key) {
		if featuresOf(c).On(d.Key) {
			also = append(also, d.Name)
		} else {
			stay = append(stay, d.Name)
		}
	}
	p := a.page(c, "Deactivate "+def.Name+"?")
	return render(c, http.StatusOK, views.ConfirmDeactivatePage(p, views.ActivationRow{Key: def.Key, Name: def.Name}, also, stay))
}

func (a *App) setActivation(c echo.Context) error {
	def, ok := models.FeatureDefFor(c.Param("key"))
	if !ok {
		return errNotFound
	}
	var active bool
	switch c.FormValue("active") {
	case "on":
		active = true
	case "off":
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Say whether to activate or deactivate the feature.")
	}
	changed, err := models.SetFeature(a.db, def.Key, active, currentUser(c), a.now().UTC())
	if errors.Is(err, models.ErrFeatureNeeds) {
		return a.renderActivations(c, http.StatusUnprocessableEntity, err.Error()+".")
	}
	if err != nil {
		return err
	}
	var names []string
	for _, k := range changed {
		d, _ := models.FeatureDefFor(k)
		names = append(names, d.Name)
	}
	msg := def.Name + " was already " + map[bool]string{true: "active", false: "inactive"}[active] + "."
	if len(names) > 0 {
		msg = "Activated " + strings.Join(names, ", ") + "."
		if !active {
			msg = "Deactivated " + strings.Join(names, ", ") + ". Nothing was deleted."
		}
	}
	return a.redirectWithFlash(c, "/admin/activations", msg)
}

func roleOptions(selected string) []views.Option {
	var opts []views.Option
	for _, r := range models.Roles {
		opts = append(opts, views.Option{Value: string(r), Label: r.Label(), Selected: string(r) == selected})
	}
	return opts
}

func validRole(s string) bool { return models.Role(s).Valid() }

func (a *App) listUsers(c echo.Context) error {
	var users []models.User
	if err := a.db.Order("active DESC, name").Find(&users).Error; err != nil {
		return err
	}
	rows := make([]views.UserRow, len(users))
	for i, u := range users {
		rows[i] = views.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role.Label(), Active: u.Active, Demo: u.DemoPassword}
	}
	return render(c, http.StatusOK, views.UsersPage(a.page(c, "Users"), rows))
}

func (a *App) newUser(c echo.Context) error {
	f := views.UserForm{Role: string(models.RoleRep), Active: "on"}
	f.Roles = roleOptions(f.Role)
	return render(c, http.StatusOK, views.UserFormPage(a.page(c, "New user"), f))
}

func (a *App) createUser(c echo.Context) error {
	var f views.UserForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate(true, validRole)
	email := models.NormalizeEmail(f.Email)
	if !f.Errs.Any() {
		var n int64
		if err := a.db.Model(&models.User{}).Where("email = ?", email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			f.Errs.Add("email", "A user with this email already exists.")
		}
	}
	if f.Errs.Any() {
		f.Password, f.Roles = "", roleOptions(f.Role)
		return render(c, http.StatusUnprocessableEntity, views.UserFormPage(a.page(c, "New user"), f))
	}
	hash, err := models.HashPassword(f.Password)
	if err != nil {
		return err
	}
	u := models.User{Email: email, Name: strings.TrimSpace(f.Name), Role: models.Role(f.Role), PasswordHash: hash, Active: true, SessionVersion: 1}
	if err := a.db.Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			f.Errs.Add("email", "A user with this email already exists.")
			f.Password, f.Roles = "", roleOptions(f.Role)
			return render(c, http.StatusUnprocessableEntity, views.UserFormPage(a.page(c, "New user"), f))
		}
		return err
	}
	return a.redirectWithFlash(c, "/admin/users", "Created "+u.Name+" ("+u.Role.Label()+").")
}

func (a *App) loadUser(c echo.Context) (*models.User, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var u models.User
	if err := a.db.First(&u, id).Error; err != nil {
		return nil, err
	}
	return &u, nil
}

func userForm(u *models.User) views.UserForm {
	f := views.UserForm{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role)}
	if u.Active {
		f.Active = "on"
	}
	f.Roles = roleOptions(f.Role)
	return f
}

func (a *App) editUser(c echo.Context) error {
	u, err := a.loadUser(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.UserFormPage(a.page(c, "Edit "+u.Name), userForm(u)))
}

func (a *App) updateUser(c echo.Context) error {
	u, err := a.loadUser(c)
	if err != nil {
		return err
	}
	var f views.UserForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID, f.Email = u.ID, u.Email
	f.Validate(false, validRole)
	if !f.Errs.Any() {
		err = models.UpdateUser(a.db, u, strings.TrimSpace(f.Name), models.Role(f.Role), f.Active == "on")
		if errors.Is(err, models.ErrLastAdmin) {
			f.Errs.Add("role", "This is the last active admin: make another user an admin first.")
		} else if err != nil {
			return err
		}
	}
	if f.Errs.Any() {
		f.Roles = roleOptions(f.Role)
		return render(c, http.StatusUnprocessableEntity, views.UserFormPage(a.page(c, "Edit "+u.Name), f))
	}
	msg := "Saved " + u.Name + "."
	if !u.Active {
		msg = "Saved " + u.Name + ". The account is deactivated and its sessions have ended."
	}
	return a.redirectWithFlash(c, "/admin/users", msg)
}

func (a *App) resetPassword(c echo.Context) error {
	u, err := a.loadUser(c)
	if err != nil {
		return err
	}
	f := userForm(u)
	pw := c.FormValue("password")
	f.Password = pw
	f.ValidatePassword()
	if f.Errs.Any() {
		return render(c, http.StatusUnprocessableEntity, views.UserFormPage(a.page(c, "Edit "+u.Name), f))
	}
	if err := models.SetPassword(a.db, u, pw); err != nil {
		return err
	}
	if err := models.ClearLoginFailures(a.db, u.Email); err != nil {
		return err
	}
	if u.ID == currentUser(c).ID {
		// Resetting one's own password ends one's other sessions, not this one.
		if err := a.signIn(c, u); err != nil {
			return err
		}
		return a.redirectWithFlash(c, "/admin/users", "Your password has been changed. Your other sessions have ended.")
	}
	return a.redirectWithFlash(c, "/admin/users", "Reset the password of "+u.Name+". Their sessions have ended.")
}

var errBadForm = echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")

// paramID reads the :id path parameter; anything but a positive integer is a 404.
func paramID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, errNotFound
	}
	return uint(id), nil
}
