package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
)

const (
	sessionName = "salesdesk"
	// sessionIdle ends a session nobody has used for this long.
	sessionIdle = 8 * time.Hour
	// sessionMaxAge ends any session, used or not, after this long.
	sessionMaxAge = 7 * 24 * time.Hour
	// seenEvery limits how often an active session's last-seen time is written.
	seenEvery = time.Minute

	keyUser     = "user"
	keyFeatures = "features"
	keySession  = "session"
	keyCSRF     = "csrf"
)

// logRequests writes one structured line per request.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := a.log.Info
		if status >= 500 {
			level = a.log.Error
		}
		level("request", "method", c.Request().Method, "path", logPath(c.Request().URL.Path),
			"status", status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "ip", c.RealIP())
		return nil
	}
}

// logPath is a request path as it may be written to the log: the secret of a
// customer quote link (/q/{token}) is replaced, so whoever reads the logs cannot
// open the customer's quote. The query string is never logged.
func logPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/q/")
	if !ok {
		return p
	}
	if _, tail, found := strings.Cut(rest, "/"); found {
		return "/q/[redacted]/" + tail
	}
	return "/q/[redacted]"
}

// securityHeaders sets a strict Content-Security-Policy (no inline script or
// style anywhere) and the other headers every page gets.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

// loadSession reads the session cookie, the signed-in user and the active
// features, and makes sure the session has a CSRF token.
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// A cookie that fails to decode (old key, tampering) is simply a new session.
		s, _ := a.store.Get(c.Request(), sessionName)
		c.Set(keySession, s)
		dirty := false
		if _, ok := s.Values[keyCSRF].(string); !ok {
			s.Values[keyCSRF] = randomToken()
			dirty = true
		}
		// A signed-in request reads its session, user and the features in one query.
		var feats models.Features
		if token, ok := s.Values["sid"].(string); ok {
			u, f, err := a.sessionUser(s, token)
			if err != nil {
				return err
			}
			feats = f
			if u != nil {
				c.Set(keyUser, u)
			} else {
				clearSession(s)
				dirty = true
			}
		}
		if feats == nil {
			f, err := models.LoadFeatures(a.db)
			if err != nil {
				return err
			}
			feats = f
		}
		c.Set(keyFeatures, feats)
		if dirty {
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// sessionUser returns the user of a live session, or nil when the session was
// ended (sign-out, deactivation, password reset), has been idle too long, is
// too old, or its user can no longer sign in; and the active features, read
// with the session (nil when there was no session to read them with).
func (a *App) sessionUser(s *sessions.Session, token string) (*models.User, models.Features, error) {
	now := a.now().UTC()
	sess, u, feats, err := models.FindSessionUserFeatures(a.db, token)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) > sessionIdle || now.Sub(sess.CreatedAt) > sessionMaxAge {
		return nil, feats, models.EndSession(a.db, token)
	}
	ver, _ := s.Values["ver"].(int)
	if !u.Active || ver != u.SessionVersion {
		return nil, feats, models.EndSession(a.db, token)
	}
	if now.Sub(sess.LastSeenAt) > seenEvery {
		if err := models.TouchSession(a.db, sess, now); err != nil {
			return nil, nil, err
		}
	}
	return u, feats, nil
}

func clearSession(s *sessions.Session) {
	for k := range s.Values {
		delete(s.Values, k)
	}
	s.Values[keyCSRF] = randomToken()
}

// signIn starts a new session for u: every old value, the CSRF token included,
// is replaced, so a session planted before sign-in is worth nothing after it.
func (a *App) signIn(c echo.Context, u *models.User) error {
	s := sessionOf(c)
	if old, ok := s.Values["sid"].(string); ok {
		if err := models.EndSession(a.db, old); err != nil {
			return err
		}
	}
	clearSession(s)
	token := randomToken()
	if err := models.StartSession(a.db, token, u.ID, a.now().UTC()); err != nil {
		return err
	}
	s.Values["sid"] = token
	s.Values["ver"] = u.SessionVersion
	return s.Save(c.Request(), c.Response())
}

// signOut ends the session on the server too, so a copy of the cookie is worthless.
func (a *App) signOut(c echo.Context) error {
	s := sessionOf(c)
	if token, ok := s.Values["sid"].(string); ok {
		if err := models.EndSession(a.db, token); err != nil {
			return err
		}
	}
	clearSession(s)
	return s.Save(c.Request(), c.Response())
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionOf(c echo.Context) *sessions.Session {
	s, _ := c.Get(keySession).(*sessions.Session)
	return s
}

func csrfToken(c echo.Context) string {
	if s := sessionOf(c); s != nil {
		t, _ := s.Values[keyCSRF].(string)
		return t
	}
	return ""
}

// checkCSRF refuses every unsafe request whose csrf_token form field (or
// X-CSRF-Token header) does not match the session's token: 403, nothing changed.
func checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !storable(c.QueryParams()) {
			return errUnstorable()
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		req := c.Request()
		var err error
		if strings.HasPrefix(req.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			err = req.ParseMultipartForm(8 << 20)
		} else {
			err = req.ParseForm()
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
		}
		want := csrfToken(c)
		got := req.Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("csrf_token")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from Salesdesk. Go back, reload the page and try again.")
		}
		if !storable(req.PostForm) || !storableFileNames(req.MultipartForm) {
			return errUnstorable()
		}
		return next(c)
	}
}

// errUnstorable answers a request whose text no database can keep: PostgreSQL
// refuses NUL characters and invalid UTF-8 in text, and no keyboard types them.
func errUnstorable() error {
	return echo.NewHTTPError(http.StatusBadRequest,
		"The request contains characters that cannot be stored (a NUL character or text that is not UTF-8). Remove them and try again.")
}

// storable says whether every name and value is valid UTF-8 without NUL.
func storable(v url.Values) bool {
	for k, vs := range v {
		if !models.Storable(k) {
			return false
		}
		for _, s := range vs {
			if !models.Storable(s) {
				return false
			}
		}
	}
	return true
}

// storableFileNames says the same of the names of uploaded files (a lead
// import keeps its file's name), which are not form values.
func storableFileNames(f *multipart.Form) bool {
	if f == nil {
		return true
	}
	for k, fhs := range f.File {
		if !models.Storable(k) {
			return false
		}
		for _, fh := range fhs {
			if !models.Storable(fh.Filename) {
				return false
			}
		}
	}
	return true
}

func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(keyUser).(*models.User)
	return u
}

func featuresOf(c echo.Context) models.Features {
	f, _ := c.Get(keyFeatures).(models.Features)
	return f
}

// requireLogin sends a signed-out visitor to the sign-in page and back afterwards.
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			target := "/login"
			if c.Request().Method == http.MethodGet && c.Request().URL.Path != "/" {
				target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
		return next(c)
	}
}

// RequireRole lets through only the given roles; others get 403.
func RequireRole(roles ...models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			for _, r := range roles {
				if u != nil && u.Role == r {
					return next(c)
				}
			}
			return errForbidden
		}
	}
}

// RequireFeature answers 404, for every role, on every URL of an inactive
// feature, as if it did not exist.
func RequireFeature(key string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !featuresOf(c).On(key) {
				return errNotFound
			}
			return next(c)
		}
	}
}

// flash queues a message for the next page shown. Messages nobody has seen
// (a client that does not follow the redirects) give way to the new one once
// they add up to a kilobyte, so the session cookie never outgrows what a
// browser keeps (4 KB), which would fail every later request.
func (a *App) flash(c echo.Context, msg string) {
	if s := sessionOf(c); s != nil {
		size := len(msg)
		pending, _ := s.Values["_flash"].([]any) // gorilla/sessions' default flash key
		for _, f := range pending {
			if m, ok := f.(string); ok {
				size += len(m)
			}
		}
		if size > 1024 {
			s.Flashes()
		}
		s.AddFlash(msg)
	}
}

func (a *App) takeFlash(c echo.Context) string {
	s := sessionOf(c)
	if s == nil {
		return ""
	}
	fl := s.Flashes()
	if len(fl) == 0 {
		return ""
	}
	_ = s.Save(c.Request(), c.Response())
	msgs := make([]string, 0, len(fl))
	for _, f := range fl {
		if m, ok := f.(string); ok {
			msgs = append(msgs, m)
		}
	}
	return strings.Join(msgs, " ")
}

// redirectWithFlash ends a successful POST: the message, then 303 to the next page.
func (a *App) redirectWithFlash(c echo.Context, to, msg string) error {
	a.flash(c, msg)
	if s := sessionOf(c); s != nil {
		if err := s.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, to)
}
