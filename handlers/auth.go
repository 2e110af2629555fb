package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/models"
	"salesdesk/views"
)

const badLogin = "That email and password do not match an active account."

// dummyHash keeps the time of a sign-in for an unknown email close to that of a
// wrong password, so response times do not tell which accounts exist.
var dummyHash, _ = models.HashPassword("not-a-real-password")

func (a *App) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	has, err := db.HasUsers(a.db)
	if err != nil {
		return err
	}
	if !has {
		return c.Redirect(http.StatusSeeOther, "/setup")
	}
	return a.renderLogin(c, http.StatusOK, views.LoginForm{Next: safeNext(c.QueryParam("next"))})
}

func (a *App) renderLogin(c echo.Context, status int, f views.LoginForm) error {
	var demo []models.User
	if err := a.db.Where("demo_password = ? AND active = ?", true, true).Order("id").Find(&demo).Error; err != nil {
		return err
	}
	var dv []views.DemoUser
	for _, u := range demo {
		dv = append(dv, views.DemoUser{Email: u.Email, Role: u.Role.Label()})
	}
	p := a.page(c, "Sign in")
	return render(c, status, views.LoginPage(p, f, dv, db.DemoPassword))
}

func (a *App) login(c echo.Context) error {
	f := views.LoginForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next"))}
	email := models.NormalizeEmail(f.Email)
	password := c.FormValue("password")
	now := a.now()

	until, err := models.LoginLockedUntil(a.db, email, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		mins := int(math.Ceil(until.Sub(now).Minutes()))
		f.Error = fmt.Sprintf("Too many failed sign-ins for this account. For its safety, sign-in is paused: try again in %d minute%s.", mins, plural(mins))
		return a.renderLogin(c, http.StatusTooManyRequests, f)
	}

	var u models.User
	err = a.db.Where("email = ?", email).First(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	ok := false
	if err == nil {
		ok = u.PasswordMatches(password) && u.Active
	} else {
		_ = (&models.User{PasswordHash: dummyHash}).PasswordMatches(password)
	}
	if !ok {
		if email != "" {
			if err := models.RecordLoginFailure(a.db, email, c.RealIP(), now); err != nil {
				return err
			}
		}
		a.log.Warn("sign-in failed", "ip", c.RealIP())
		f.Error = badLogin
		return a.renderLogin(c, http.StatusUnprocessableEntity, f)
	}
	if err := models.ClearLoginFailures(a.db, email); err != nil {
		return err
	}
	if err := models.PruneSessions(a.db, now.UTC().Add(-sessionIdle)); err != nil {
		return err
	}
	if err := a.signIn(c, &u); err != nil {
		return err
	}
	next := f.Next
	if next == "" {
		next = "/"
	}
	return a.redirectWithFlash(c, next, "Welcome, "+u.Name+".")
}

func (a *App) logout(c echo.Context) error {
	if err := a.signOut(c); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/login", "You have signed out.")
}

// safeNext accepts only a path on this site as the place to go after sign-in.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\r\n\\") || len(next) > 2000 {
		return ""
	}
	return next
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// setupForm creates the first admin of a database that has no users; once
// anyone exists the page is gone.
func (a *App) setupForm(c echo.Context) error {
	if err := a.requireNoUsers(); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SetupPage(a.page(c, "Set up Salesdesk"), views.SetupForm{}))
}

func (a *App) setup(c echo.Context) error {
	if err := a.requireNoUsers(); err != nil {
		return err
	}
	var f views.SetupForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f.Validate()
	if f.Errs.Any() {
		f.Password = ""
		return render(c, http.StatusUnprocessableEntity, views.SetupPage(a.page(c, "Set up Salesdesk"), f))
	}
	hash, err := models.HashPassword(f.Password)
	if err != nil {
		return err
	}
	u := models.User{Email: models.NormalizeEmail(f.Email), Name: strings.TrimSpace(f.Name), Role: models.RoleAdmin,
		PasswordHash: hash, Active: true, SessionVersion: 1}
	if err := a.db.Create(&u).Error; err != nil {
		return err
	}
	if err := a.signIn(c, &u); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/activations", "Welcome to Salesdesk. Activate the features your team uses.")
}

func (a *App) requireNoUsers() error {
	has, err := db.HasUsers(a.db)
	if err != nil {
		return err
	}
	if has {
		return errNotFound
	}
	return nil
}
