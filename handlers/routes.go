package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"salesdesk/models"
)

// routes is the one route table of the app. Authorization is decided here per
// group: signed in, role, feature; record-level rules (a rep edits only their
// own) are checked in the handlers with models.User.CanEditOwned.
func (a *App) routes(e *echo.Echo) {
	e.Use(a.logRequests, middleware.Recover(), securityHeaders)

	e.GET("/healthz", a.healthz)
	e.GET("/static/*", a.serveStatic)

	// The Quote Manager's inbound API: bearer key, no cookie session, no CSRF.
	a.quoteManagerAPIRoutes(e)

	pub := e.Group("", a.admit.middleware, limitBody, a.loadSession, checkCSRF)
	pub.GET("/login", a.loginForm)
	pub.POST("/login", a.login)
	pub.POST("/logout", a.logout)
	pub.GET("/setup", a.setupForm)
	pub.POST("/setup", a.setup)

	in := pub.Group("", requireLogin)
	in.GET("/", a.home)

	in.GET("/organizations", a.listOrganizations)
	in.GET("/organizations/new", a.newOrganization)
	in.POST("/organizations", a.createOrganization)
	in.GET("/organizations/:id", a.showOrganization)
	in.GET("/organizations/:id/edit", a.editOrganization)
	in.POST("/organizations/:id", a.updateOrganization)
	in.GET("/organizations/:id/contacts/new", a.newContact)
	in.POST("/organizations/:id/contacts", a.createContact)
	in.GET("/contacts/:id/edit", a.editContact)
	in.POST("/contacts/:id", a.updateContact)

	sales := in.Group("", RequireFeature(models.FeatureSales))
	// The organization pickers of the Sales forms (opportunities, products,
	// purchase orders): names as they are typed, and an organization's contacts.
	sales.GET("/organizations/suggest", a.suggest(orgSource))
	sales.GET("/organizations/:id/contacts", a.organizationContacts)
	// The product picker of the quote editor's new line, gated as the editor.
	sales.GET("/quotes/products/suggest", a.suggest(productSource), requireBuiltinQuotes)
	// … and what a chosen product fills the new line's form with.
	sales.GET("/quotes/products/:id", a.productLineJSON, requireBuiltinQuotes)
	sales.GET("/opportunities", a.listOpportunities)
	sales.GET("/opportunities/new", a.newOpportunity)
	sales.POST("/opportunities", a.createOpportunity)
	sales.GET("/opportunities/board", a.opportunityBoard)
	sales.GET("/opportunities/export.csv", a.exportOpportunities)
	sales.POST("/opportunities/reassign", a.reassignOpportunities, RequireRole(models.RoleManager, models.RoleAdmin))
	sales.GET("/opportunities/:id", a.showOpportunity)
	sales.GET("/opportunities/:id/edit", a.editOpportunity)
	sales.POST("/opportunities/:id", a.updateOpportunity)
	sales.POST("/opportunities/:id/stage", a.moveOpportunityStage)
	sales.GET("/opportunities/:id/won", a.showOutcome(true))
	sales.POST("/opportunities/:id/won", a.saveOutcome(true))
	sales.GET("/opportunities/:id/lost", a.showOutcome(false))
	sales.POST("/opportunities/:id/lost", a.saveOutcome(false))
	sales.GET("/opportunities/:id/reopen", a.showReopen, RequireRole(models.RoleManager, models.RoleAdmin))
	sales.POST("/opportunities/:id/reopen", a.reopen, RequireRole(models.RoleManager, models.RoleAdmin))
	sales.POST("/opportunities/:id/notes", a.addNote)
	sales.POST("/opportunities/:id/todos", a.addTodo)
	sales.POST("/todos/:id/done", a.setTodoDone)
	sales.GET("/reports/funnel", a.funnelReport, RequireRole(models.RoleManager, models.RoleAdmin))
	sales.GET("/reports/funnel.csv", a.funnelCSV, RequireRole(models.RoleManager, models.RoleAdmin))

	mkt := in.Group("", RequireFeature(models.FeatureMarketing))
	mkt.GET("/campaigns", a.listCampaigns)
	mkt.GET("/campaigns/suggest", a.suggest(campaignSource))
	mkt.GET("/campaigns/new", a.newCampaign)
	mkt.POST("/campaigns", a.createCampaign)
	mkt.GET("/campaigns/:id", a.showCampaign)
	mkt.GET("/campaigns/:id/edit", a.editCampaign)
	mkt.POST("/campaigns/:id", a.updateCampaign)
	mkt.GET("/leads", a.listLeads)
	mkt.GET("/leads/export.csv", a.exportLeads)
	mkt.GET("/leads/new", a.newLead)
	mkt.POST("/leads", a.createLead)
	mkt.POST("/leads/bulk", a.bulkLeads)
	mkt.GET("/leads/import", a.importForm)
	mkt.POST("/leads/import", a.uploadImport)
	mkt.GET("/leads/import/:id", a.previewImport)
	mkt.POST("/leads/import/:id", a.runImport)
	mkt.GET("/leads/:id", a.showLead)
	mkt.GET("/leads/:id/edit", a.editLead)
	mkt.POST("/leads/:id", a.updateLead)
	mkt.POST("/leads/:id/status", a.setLeadStatus)
	mkt.POST("/leads/:id/convert", a.convertLead)

	admin := in.Group("/admin", RequireRole(models.RoleAdmin))
	admin.GET("/activations", a.activations)
	admin.GET("/activations/:key/deactivate", a.confirmDeactivate)
	admin.POST("/activations/:key", a.setActivation)
	admin.GET("/users", a.listUsers)
	admin.GET("/users/new", a.newUser)
	admin.POST("/users", a.createUser)
	admin.GET("/users/:id/edit", a.editUser)
	admin.POST("/users/:id", a.updateUser)
	admin.POST("/users/:id/password", a.resetPassword)

	// The opportunity picklists belong to Sales: with it off they do not exist,
	// for admins too, so the feature is checked before the role.
	salesAdmin := in.Group("/admin", RequireFeature(models.FeatureSales), RequireRole(models.RoleAdmin))
	salesAdmin.GET("/settings", a.settings)
	salesAdmin.POST("/settings/quote-number", a.setQuoteNumber)
	salesAdmin.GET("/stages", a.listStages)
	salesAdmin.POST("/stages", a.createStage)
	salesAdmin.GET("/stages/:id/edit", a.editStage)
	salesAdmin.POST("/stages/:id", a.updateStage)
	salesAdmin.POST("/stages/:id/move", a.moveStage)
	salesAdmin.GET("/stages/:id/delete", a.confirmDeleteStage)
	salesAdmin.POST("/stages/:id/delete", a.deleteStage)
	salesAdmin.GET("/picklists/:kind", a.listPicklist)
	salesAdmin.POST("/picklists/:kind", a.createValue)
	salesAdmin.GET("/picklists/:kind/:id/edit", a.editValue)
	salesAdmin.POST("/picklists/:kind/:id", a.updateValue)
	salesAdmin.POST("/picklists/:kind/:id/move", a.moveValue)
	salesAdmin.GET("/picklists/:kind/:id/delete", a.confirmDeleteValue)
	salesAdmin.POST("/picklists/:kind/:id/delete", a.deleteValue)

	a.productRoutes(sales, salesAdmin)
	// The customer quote links need no sign-in; they are rate-limited per client
	// IP before anything else reads the request.
	a.quoteRoutes(in, e.Group("/q", a.limitQuoteLink, a.admit.middleware, limitBody, a.loadSession, checkCSRF))
	a.quoteManagerRoutes(in)
	a.salesOrderRoutes(in)
	a.purchaseOrderRoutes(in)

	// Unknown paths inside the app get the styled 404 with the session loaded.
	pub.RouteNotFound("/*", func(c echo.Context) error { return errNotFound })
}

// healthz answers 200 when the database answers.
func (a *App) healthz(c echo.Context) error {
	sqlDB, err := a.db.DB()
	if err == nil {
		err = sqlDB.PingContext(c.Request().Context())
	}
	if err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}

// Request bodies: forms are small; only the lead import takes a file. The limit
// is applied before anything reads the body (the CSRF check parses the form),
// and a declared length over it is refused at once, unread.
const (
	formBodyLimit   = 2 << 20
	importBodyLimit = 11 << 20
)

func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int64(formBodyLimit)
		if c.Path() == "/leads/import" {
			limit = importBodyLimit
		}
		req := c.Request()
		if req.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}
