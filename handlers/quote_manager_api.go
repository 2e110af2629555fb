package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
)

// The inbound API of the Quote Manager integration: the external tool pushes
// its quotes here. It is authenticated by a bearer key, not by a session
// cookie, so it sits outside the session and CSRF group: a browser never
// sends the key by itself, which is what CSRF protection is about. Every
// call is written to the integration log; the key never is.

const quoteManagerAPI = "/api/integrations/quote-manager"

const keyQMSettings = "qm_settings"

func (a *App) quoteManagerAPIRoutes(e *echo.Echo) {
	api := e.Group(quoteManagerAPI, a.admit.middleware, a.requireQuoteManagerKey)
	api.POST("/quotes", a.apiUpsertQuote)
	api.DELETE("/quotes/:external_id", a.apiWithdrawQuote)
}

// apiProblem is one entry of a 422 answer.
type apiProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type apiError struct {
	Error    string       `json:"error"`
	Problems []apiProblem `json:"problems,omitempty"`
}

type apiResult struct {
	Result        string `json:"result"`
	ID            uint   `json:"id"`
	ExternalID    string `json:"external_id"`
	OpportunityID uint   `json:"opportunity_id"`
	Status        string `json:"status"`
	Opportunity   string `json:"opportunity,omitempty"` // what happened to the opportunity, if anything
}

// apiLog records a call; a failure to log is logged, never turned into a
// failed call (the quote itself is already stored).
func (a *App) apiLog(c echo.Context, externalID string, status int, result string, probs []models.FieldProblem) {
	if err := models.LogIntegration(a.db, c.Request().Method, externalID, status, result, probs, a.now().UTC()); err != nil {
		a.log.Error("integration log", "err", err)
	}
}

// requireQuoteManagerKey: 404 while the integration is inactive (as every
// URL of an inactive feature), 401 without the current key.
func (a *App) requireQuoteManagerKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		feats, err := models.LoadFeatures(a.db)
		if err != nil {
			return err
		}
		if !feats.On(models.FeatureQuoteManager) {
			return c.JSON(http.StatusNotFound, apiError{Error: "Not found: the Quote Manager integration is not active."})
		}
		s, err := models.LoadQuoteManagerSettings(a.db)
		if err != nil {
			return err
		}
		auth := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, key, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") || !s.ValidKey(strings.TrimSpace(key)) {
			wait, err := a.tooManyBadKeys(c)
			if err != nil {
				return err
			}
			if wait > 0 {
				c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
				return c.JSON(http.StatusTooManyRequests, apiError{Error: fmt.Sprintf(
					"Too many calls with a missing or invalid key from your address: wait %d seconds, then send the current API key.", wait)})
			}
			a.apiLog(c, c.Param("external_id"), http.StatusUnauthorized, "refused: missing or invalid key", nil)
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="salesdesk"`)
			return c.JSON(http.StatusUnauthorized, apiError{Error: "Send the current API key as Authorization: Bearer <key>."})
		}
		c.Set(keyQMSettings, s)
		return next(c)
	}
}

func (a *App) apiUpsertQuote(c echo.Context) error {
	req := c.Request()
	if mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
		a.apiLog(c, "", http.StatusUnsupportedMediaType, "refused: not JSON", nil)
		return c.JSON(http.StatusUnsupportedMediaType, apiError{Error: "Send the quote as Content-Type: application/json."})
	}
	if req.ContentLength > models.MaxQuoteManagerBody {
		a.apiLog(c, "", http.StatusRequestEntityTooLarge, "refused: body over 1 MB", nil)
		return c.JSON(http.StatusRequestEntityTooLarge, apiError{Error: "The body is larger than 1 MB."})
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, models.MaxQuoteManagerBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		a.apiLog(c, "", http.StatusRequestEntityTooLarge, "refused: body over 1 MB", nil)
		return c.JSON(http.StatusRequestEntityTooLarge, apiError{Error: "The body is larger than 1 MB."})
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The body could not be read.")
	}
	in, probs := models.DecodeExternalQuote(body)
	if len(probs) > 0 {
		return a.apiInvalid(c, in.ExternalID, probs)
	}
	now := a.now().UTC()
	res, q, becameWon, err := models.UpsertExternalQuote(a.db, in, now)
	var invalid *models.ErrQuoteProblems
	if errors.As(err, &invalid) {
		return a.apiInvalid(c, in.ExternalID, invalid.Problems)
	}
	if err != nil {
		return err
	}
	out := apiResult{Result: string(res), ID: q.ID, ExternalID: q.ExternalID, OpportunityID: q.OpportunityID, Status: string(q.Status)}
	if becameWon {
		s := c.Get(keyQMSettings).(*models.QuoteManagerSettings)
		if out.Opportunity, err = models.AutoWinFromExternalQuote(a.db, q, s, now); err != nil {
			a.log.Error("quote manager: mark won", "err", err)
			out.Opportunity = "opportunity not marked won: an error on our side"
		}
	}
	status := http.StatusOK
	if res == models.UpsertCreated {
		status = http.StatusCreated
	}
	result := string(res)
	if out.Opportunity != "" {
		result += "; " + out.Opportunity
	}
	a.apiLog(c, q.ExternalID, status, result, nil)
	return c.JSON(status, out)
}

func (a *App) apiInvalid(c echo.Context, externalID string, probs []models.FieldProblem) error {
	a.apiLog(c, externalID, http.StatusUnprocessableEntity, "rejected", probs)
	out := apiError{Error: "The quote was not stored: fix the problems listed."}
	for _, p := range probs {
		out.Problems = append(out.Problems, apiProblem{Field: p.Field, Message: p.Msg})
	}
	return c.JSON(http.StatusUnprocessableEntity, out)
}

func (a *App) apiWithdrawQuote(c echo.Context) error {
	id := c.Param("external_id")
	if !models.ValidExternalID(id) {
		a.apiLog(c, id, http.StatusNotFound, "refused: no such quote", nil)
		return c.JSON(http.StatusNotFound, apiError{Error: "There is no quote with this external id."})
	}
	res, err := models.WithdrawExternalQuote(a.db, id, a.now().UTC())
	if errors.Is(err, gorm.ErrRecordNotFound) {
		a.apiLog(c, id, http.StatusNotFound, "refused: no such quote", nil)
		return c.JSON(http.StatusNotFound, apiError{Error: "There is no quote with this external id."})
	}
	if err != nil {
		return err
	}
	result := "withdrawn"
	if res == models.UpsertUnchanged {
		result = "unchanged (already withdrawn)"
	}
	a.apiLog(c, id, http.StatusOK, result, nil)
	return c.JSON(http.StatusOK, map[string]string{"result": result, "external_id": id, "status": string(models.ExtWithdrawn)})
}
