package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"salesdesk/static"
)

// serveStatic serves the embedded files. A request carrying the file's current
// fingerprint (?v=) may be cached for a year; anything else is revalidated.
func (a *App) serveStatic(c echo.Context) error {
	name := strings.TrimPrefix(c.Param("*"), "/")
	print, ok := a.assets[name]
	if !ok {
		return errNotFound
	}
	if c.QueryParam("v") == print {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
	}
	c.Response().Header().Set("ETag", `"`+print+`"`)
	http.ServeFileFS(c.Response(), c.Request(), static.Files, name)
	return nil
}
