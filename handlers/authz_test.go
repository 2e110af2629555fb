package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"salesdesk/db"
	"salesdesk/handlers"
	"salesdesk/models"
)

// The authorization table: every route of routes.go, for every role, with the
// Sales feature on and off, and the Marketing routes also with Marketing off
// while Sales is on. TestAuthzTableCoversEveryRoute fails when a route is
// added without its rows here.

const (
	roleAnon    = "anonymous"
	roleRep     = "rep"
	roleManager = "manager"
	roleAdmin   = "admin"
)

var authzRoles = []string{roleAnon, roleRep, roleManager, roleAdmin}

var authzEmails = map[string]string{
	roleRep:     "rep@example.com",
	roleManager: "manager@example.com",
	roleAdmin:   "admin@example.com",
}

// featureState is which features are active while a case runs.
type featureState string

const (
	// allOn: Sales and Marketing are active, as in the demo data.
	allOn featureState = "Sales and Marketing on"
	// salesOff: Sales is off, and with it Marketing, which needs it.
	salesOff featureState = "Sales off (so Marketing off)"
	// marketingOff: Marketing is off, Sales on.
	marketingOff featureState = "Marketing off, Sales on"
	// quoteManagerOn: Sales and Marketing on, and the Quote Manager
	// integration, which replaces the built-in quotes everywhere.
	quoteManagerOn featureState = "Sales, Marketing and Quote Manager on"
	// procurementOff: Procurement is off, Sales and Marketing on. In every
	// other state but salesOff, Procurement is on, as in the demo data.
	procurementOff featureState = "Procurement off, Sales and Marketing on"
)

// authzCase is one row of the table.
type authzCase struct {
	method  string
	route   string // the pattern as written in routes.go
	path    string // the request path, with {placeholders} from authzFixture
	variant string // which body to send when a route has several rows (see body)
	role    string
	state   featureState
	want    int
	loc     string // for a 303: the Location it must start with
	bug     string // a known product bug makes this case fail: it is skipped
}

func (c authzCase) name() string {
	n := c.method + " " + c.path
	if c.variant != "" {
		n += " (" + c.variant + ")"
	}
	return n + " as " + c.role + " with " + string(c.state)
}

// expect is the answer of one role when Sales is on.
type expect struct {
	status int
	loc    string
}

var (
	ok200     = expect{status: http.StatusOK}
	forbidden = expect{status: http.StatusForbidden}
	notFound  = expect{status: http.StatusNotFound}
	toLogin   = expect{http.StatusSeeOther, "/login"}
)

func seeOther(loc string) expect { return expect{http.StatusSeeOther, loc} }

// authzRoute is a route with what each role gets while Sales and Marketing are
// on. When Sales is off, a route with salesOnly answers 404 to every signed-in
// role; a route with marketingOnly does so when Marketing is off, whether
// switched off itself or with Sales; a route with builtinQuotes also does so
// while the Quote Manager integration is on. A public route answers that 404
// to signed-out visitors too, as they need no sign-in to reach it.
type authzRoute struct {
	method, route, path string
	variant             string
	salesOnly           bool
	marketingOnly       bool
	builtinQuotes       bool
	procurementOnly     bool
	// quoteManagerOnly: a route of the Quote Manager integration, gone
	// (404) unless it is active. bothQuoteSources: a route that answers the
	// same with the built-in quotes and with the Quote Manager's (/quotes).
	quoteManagerOnly   bool
	bothQuoteSources   bool
	public             bool
	anon, rep, manager expect
	admin              expect
	// bug names a known product bug: the row keeps the right answer and its
	// failing cases are skipped until the bug is fixed.
	bug string
}

// signedIn is what every signed-in role gets.
func signedIn(method, route, path string, e expect) authzRoute {
	return authzRoute{method: method, route: route, path: path, anon: toLogin, rep: e, manager: e, admin: e}
}

// ownerOrManager is a record of another rep: the rep is refused, managers and admins may.
func ownerOrManager(method, route, path string, e expect) authzRoute {
	return authzRoute{method: method, route: route, path: path, anon: toLogin, rep: forbidden, manager: e, admin: e}
}

// managers is a route only managers and admins may use.
func managers(method, route, path string, e expect) authzRoute {
	return ownerOrManager(method, route, path, e)
}

func sales(r authzRoute) authzRoute {
	r.salesOnly = true
	return r
}

// marketing is a route of the Marketing feature (campaigns and leads).
func marketing(r authzRoute) authzRoute {
	r.marketingOnly = true
	return r
}

// quotes is a route of the built-in quotes: part of Sales, and gone while the
// Quote Manager integration replaces them.
func quotes(r authzRoute) authzRoute {
	r.salesOnly, r.builtinQuotes = true, true
	return r
}

// quoteManager is a route of the Quote Manager integration: part of Sales,
// and gone unless the integration is active.
func quoteManager(r authzRoute) authzRoute {
	r.salesOnly, r.quoteManagerOnly = true, true
	return r
}

// quoteList is /quotes: the built-in quotes, or the Quote Manager's.
func quoteList(r authzRoute) authzRoute {
	r.salesOnly, r.bothQuoteSources = true, true
	return r
}

// quoteManagerAPI is the integration's inbound API: no session, so every
// visitor without the bearer key gets 401, signed in or not; 404 when the
// integration is inactive.
func quoteManagerAPI(method, route, path string) authzRoute {
	e := expect{status: http.StatusUnauthorized}
	return authzRoute{method: method, route: route, path: path, salesOnly: true, quoteManagerOnly: true, public: true,
		anon: e, rep: e, manager: e, admin: e}
}

// procurement is a route of the Procurement feature (sales orders): part of
// Sales, and gone with Procurement off.
func procurement(r authzRoute) authzRoute {
	r.salesOnly, r.procurementOnly = true, true
	return r
}

// customer is a page of the customer's quote link: no sign-in, the same answer
// for every visitor, and gone for everyone with the built-in quotes.
func customer(method, route, path string, e expect) authzRoute {
	return authzRoute{method: method, route: route, path: path, salesOnly: true, builtinQuotes: true, public: true,
		anon: e, rep: e, manager: e, admin: e}
}

// quoteEdit is a route that changes the quote of path ({quote} in path and in
// the Location of e): the quote's owner, the owner of its opportunity,
// managers and admins may. The rep owns {own-quote} and the opportunity of
// {own-opp-quote} (a quote of rep2), and owns {rep-quote-other-opp} but not its
// opportunity (rep2's); {other-quote} is rep2's quote of rep2's opportunity.
func quoteEdit(method, route, path string, e expect) []authzRoute {
	sub := func(s, q string) string { return strings.ReplaceAll(s, "{quote}", "{"+q+"}") }
	var rows []authzRoute
	for _, q := range []string{"own-quote", "own-opp-quote", "rep-quote-other-opp"} {
		rows = append(rows, quotes(signedIn(method, route, sub(path, q), expect{e.status, sub(e.loc, q)})))
	}
	return append(rows, quotes(ownerOrManager(method, route, sub(path, "other-quote"), expect{e.status, sub(e.loc, "other-quote")})))
}

// bugFor marks the rows of rows whose path contains part with a known bug,
// setting what the rep must get instead.
func bugFor(part string, rep expect, bug string, rows []authzRoute) []authzRoute {
	for i := range rows {
		if strings.Contains(rows[i].path, part) {
			rows[i].rep, rows[i].bug = rep, bug
		}
	}
	return rows
}

// variant names the body a row sends, for a route with rows of several bodies.
func variant(name string, r authzRoute) authzRoute {
	r.variant = name
	return r
}

// uploaderOnly is a lead import of the rep: it exists for the rep only; for
// every other user, managers and admins included, it is not there at all.
func uploaderOnly(method, route, path string, e expect) authzRoute {
	return authzRoute{method: method, route: route, path: path, anon: toLogin, rep: e, manager: notFound, admin: notFound}
}

func adminOnly(method, route, path string, e expect) authzRoute {
	return authzRoute{method: method, route: route, path: path, anon: toLogin, rep: forbidden, manager: forbidden, admin: e}
}

var authzRoutes = slices.Concat(baseAuthzRoutes, catalogAuthzRoutes, quoteAuthzRoutes, salesOrderAuthzRoutes, purchaseOrderAuthzRoutes, quoteManagerAuthzRoutes)

// The purchase orders, under the sales orders' gate and rule: everyone signed
// in reads them; the owner of the sales order, managers and admins create,
// edit, submit, receive and cancel them. {own-po} is a fresh draft purchase
// order of a sales order of the rep, {other-po} one of rep2; {own-sent-po}
// and {other-sent-po} are the same, submitted to the vendor.
var purchaseOrderAuthzRoutes = []authzRoute{
	procurement(signedIn("GET", "/purchase-orders", "/purchase-orders", ok200)),
	procurement(signedIn("POST", "/sales-orders/:id/purchase-orders", "/sales-orders/{own-so}/purchase-orders", seeOther("/sales-orders/{own-so}"))),
	procurement(ownerOrManager("POST", "/sales-orders/:id/purchase-orders", "/sales-orders/{other-so}/purchase-orders", seeOther("/sales-orders/{other-so}"))),
	procurement(signedIn("GET", "/purchase-orders/:id", "/purchase-orders/{other-po}", ok200)),
	procurement(signedIn("GET", "/purchase-orders/:id/print", "/purchase-orders/{other-po}/print", ok200)),
	procurement(signedIn("GET", "/purchase-orders/:id/edit", "/purchase-orders/{own-po}/edit", ok200)),
	procurement(ownerOrManager("GET", "/purchase-orders/:id/edit", "/purchase-orders/{other-po}/edit", ok200)),
	procurement(signedIn("POST", "/purchase-orders/:id", "/purchase-orders/{own-po}", seeOther("/purchase-orders/{own-po}"))),
	procurement(ownerOrManager("POST", "/purchase-orders/:id", "/purchase-orders/{other-po}", seeOther("/purchase-orders/{other-po}"))),
	procurement(signedIn("POST", "/purchase-orders/:id/submit", "/purchase-orders/{own-po}/submit", seeOther("/purchase-orders/{own-po}"))),
	procurement(ownerOrManager("POST", "/purchase-orders/:id/submit", "/purchase-orders/{other-po}/submit", seeOther("/purchase-orders/{other-po}"))),
	procurement(signedIn("POST", "/purchase-orders/:id/receipts", "/purchase-orders/{own-sent-po}/receipts", seeOther("/purchase-orders/{own-sent-po}"))),
	procurement(ownerOrManager("POST", "/purchase-orders/:id/receipts", "/purchase-orders/{other-sent-po}/receipts", seeOther("/purchase-orders/{other-sent-po}"))),
	procurement(signedIn("GET", "/purchase-orders/:id/cancel", "/purchase-orders/{own-sent-po}/cancel", ok200)),
	procurement(ownerOrManager("GET", "/purchase-orders/:id/cancel", "/purchase-orders/{other-po}/cancel", ok200)),
	procurement(signedIn("POST", "/purchase-orders/:id/cancel", "/purchase-orders/{own-po}/cancel", seeOther("/purchase-orders/{own-po}"))),
	procurement(ownerOrManager("POST", "/purchase-orders/:id/cancel", "/purchase-orders/{other-sent-po}/cancel", seeOther("/purchase-orders/{other-sent-po}"))),
}

// The Quote Manager integration: the admin's settings, key and log; the won
// and lost forms of an external quote ({own-ext-won} is a won quote of an
// opportunity of the rep, {other-ext-…} of rep2's); the inbound API.
var quoteManagerAuthzRoutes = []authzRoute{
	quoteManager(adminOnly("GET", "/admin/quote-manager", "/admin/quote-manager", ok200)),
	quoteManager(adminOnly("POST", "/admin/quote-manager", "/admin/quote-manager", seeOther("/admin/quote-manager"))),
	quoteManager(adminOnly("POST", "/admin/quote-manager/key", "/admin/quote-manager/key", ok200)),
	quoteManager(adminOnly("GET", "/admin/quote-manager/key/revoke", "/admin/quote-manager/key/revoke", ok200)),
	quoteManager(adminOnly("POST", "/admin/quote-manager/key/revoke", "/admin/quote-manager/key/revoke", seeOther("/admin/quote-manager"))),
	quoteManager(adminOnly("GET", "/admin/quote-manager/log", "/admin/quote-manager/log", ok200)),
	quoteManager(signedIn("GET", "/external-quotes/:id/won", "/external-quotes/{own-ext-won}/won", ok200)),
	quoteManager(ownerOrManager("GET", "/external-quotes/:id/won", "/external-quotes/{other-ext-won}/won", ok200)),
	quoteManager(signedIn("POST", "/external-quotes/:id/won", "/external-quotes/{own-ext-won}/won", seeOther("/opportunities/{ext-opp}"))),
	quoteManager(ownerOrManager("POST", "/external-quotes/:id/won", "/external-quotes/{other-ext-won}/won", seeOther("/opportunities/{ext-opp}"))),
	quoteManager(signedIn("GET", "/external-quotes/:id/lost", "/external-quotes/{own-ext-declined}/lost", ok200)),
	quoteManager(ownerOrManager("GET", "/external-quotes/:id/lost", "/external-quotes/{other-ext-declined}/lost", ok200)),
	quoteManager(signedIn("POST", "/external-quotes/:id/lost", "/external-quotes/{own-ext-declined}/lost", seeOther("/opportunities/{ext-opp}"))),
	quoteManager(ownerOrManager("POST", "/external-quotes/:id/lost", "/external-quotes/{other-ext-declined}/lost", seeOther("/opportunities/{ext-opp}"))),
	quoteManagerAPI("POST", "/api/integrations/quote-manager/quotes", "/api/integrations/quote-manager/quotes"),
	quoteManagerAPI("DELETE", "/api/integrations/quote-manager/quotes/:external_id", "/api/integrations/quote-manager/quotes/QM-AUTHZ"),
}

// The sales orders. Everyone signed in reads every sales order and prints it;
// changing one (edit, fulfilment, cancel) is for its owner, managers and
// admins. {own-so} is a fresh sales order of the rep, {other-so} one of rep2,
// each from a won quote with a product line.
var salesOrderAuthzRoutes = []authzRoute{
	procurement(signedIn("GET", "/sales-orders", "/sales-orders", ok200)),
	procurement(signedIn("GET", "/sales-orders/:id", "/sales-orders/{other-so}", ok200)),
	procurement(signedIn("GET", "/sales-orders/:id/print", "/sales-orders/{other-so}/print", ok200)),
	procurement(signedIn("GET", "/sales-orders/:id/edit", "/sales-orders/{own-so}/edit", ok200)),
	procurement(ownerOrManager("GET", "/sales-orders/:id/edit", "/sales-orders/{other-so}/edit", ok200)),
	procurement(signedIn("POST", "/sales-orders/:id", "/sales-orders/{own-so}", seeOther("/sales-orders/{own-so}"))),
	procurement(ownerOrManager("POST", "/sales-orders/:id", "/sales-orders/{other-so}", seeOther("/sales-orders/{other-so}"))),
	procurement(signedIn("POST", "/sales-orders/:id/fulfilments", "/sales-orders/{own-so}/fulfilments", seeOther("/sales-orders/{own-so}"))),
	procurement(ownerOrManager("POST", "/sales-orders/:id/fulfilments", "/sales-orders/{other-so}/fulfilments", seeOther("/sales-orders/{other-so}"))),
	procurement(signedIn("GET", "/sales-orders/:id/cancel", "/sales-orders/{own-so}/cancel", ok200)),
	procurement(ownerOrManager("GET", "/sales-orders/:id/cancel", "/sales-orders/{other-so}/cancel", ok200)),
	procurement(signedIn("POST", "/sales-orders/:id/cancel", "/sales-orders/{own-so}/cancel", seeOther("/sales-orders/{own-so}"))),
	procurement(ownerOrManager("POST", "/sales-orders/:id/cancel", "/sales-orders/{other-so}/cancel", seeOther("/sales-orders/{other-so}"))),
}

var baseAuthzRoutes = []authzRoute{
	// Public.
	{method: "GET", route: "/healthz", path: "/healthz", anon: ok200, rep: ok200, manager: ok200, admin: ok200},
	{method: "GET", route: "/static/*", path: "/static/css/app.css", anon: ok200, rep: ok200, manager: ok200, admin: ok200},
	{method: "GET", route: "/login", path: "/login", anon: ok200, rep: seeOther("/"), manager: seeOther("/"), admin: seeOther("/")},
	{method: "POST", route: "/login", path: "/login", anon: seeOther("/"), rep: seeOther("/"), manager: seeOther("/"), admin: seeOther("/")},
	{method: "POST", route: "/logout", path: "/logout", anon: seeOther("/login"), rep: seeOther("/login"), manager: seeOther("/login"), admin: seeOther("/login")},
	// Setup exists only while the database has no users.
	{method: "GET", route: "/setup", path: "/setup", anon: notFound, rep: notFound, manager: notFound, admin: notFound},
	{method: "POST", route: "/setup", path: "/setup", anon: notFound, rep: notFound, manager: notFound, admin: notFound},

	// Signed in, every role.
	signedIn("GET", "/", "/", ok200),
	signedIn("GET", "/organizations", "/organizations", ok200),
	signedIn("GET", "/organizations/new", "/organizations/new", ok200),
	signedIn("POST", "/organizations", "/organizations", seeOther("/organizations/")),
	signedIn("GET", "/organizations/:id", "/organizations/{org}", ok200),
	signedIn("GET", "/organizations/:id/edit", "/organizations/{org}/edit", ok200),
	signedIn("POST", "/organizations/:id", "/organizations/{org}", seeOther("/organizations/{org}")),
	signedIn("GET", "/organizations/:id/contacts/new", "/organizations/{org}/contacts/new", ok200),
	signedIn("POST", "/organizations/:id/contacts", "/organizations/{org}/contacts", seeOther("/organizations/{org}")),
	signedIn("GET", "/contacts/:id/edit", "/contacts/{contact}/edit", ok200),
	signedIn("POST", "/contacts/:id", "/contacts/{contact}", seeOther("/organizations/{org}")),

	// Sales. Reps read everyone's opportunities and change only their own;
	// {own} is a fresh open opportunity of the rep, {other} one of another rep.
	// The organization pickers of the Sales forms: every signed-in role sees
	// every organization and its contacts, as the organization pages show them.
	sales(signedIn("GET", "/organizations/suggest", "/organizations/suggest?q=a", ok200)),
	quotes(signedIn("GET", "/quotes/products/suggest", "/quotes/products/suggest?q=a", ok200)),
	quotes(signedIn("GET", "/quotes/products/:id", "/quotes/products/{product}", ok200)),
	sales(signedIn("GET", "/organizations/:id/contacts", "/organizations/{org}/contacts", ok200)),
	sales(signedIn("GET", "/opportunities", "/opportunities", ok200)),
	sales(signedIn("GET", "/opportunities/new", "/opportunities/new", ok200)),
	sales(signedIn("POST", "/opportunities", "/opportunities", seeOther("/opportunities/"))),
	sales(signedIn("GET", "/opportunities/board", "/opportunities/board", ok200)),
	sales(signedIn("GET", "/opportunities/export.csv", "/opportunities/export.csv", ok200)),
	sales(managers("POST", "/opportunities/reassign", "/opportunities/reassign", seeOther("/opportunities"))),
	sales(managers("GET", "/reports/funnel", "/reports/funnel", ok200)),
	sales(managers("GET", "/reports/funnel.csv", "/reports/funnel.csv?table=funnel", ok200)),
	sales(signedIn("GET", "/opportunities/:id", "/opportunities/{own}", ok200)),
	sales(signedIn("GET", "/opportunities/:id", "/opportunities/{other}", ok200)),
	sales(signedIn("GET", "/opportunities/:id/edit", "/opportunities/{own}/edit", ok200)),
	sales(ownerOrManager("GET", "/opportunities/:id/edit", "/opportunities/{other}/edit", ok200)),
	sales(signedIn("POST", "/opportunities/:id", "/opportunities/{own}", seeOther("/opportunities/{own}"))),
	sales(ownerOrManager("POST", "/opportunities/:id", "/opportunities/{other}", seeOther("/opportunities/{other}"))),
	sales(signedIn("POST", "/opportunities/:id/stage", "/opportunities/{own}/stage", seeOther("/opportunities/board"))),
	sales(ownerOrManager("POST", "/opportunities/:id/stage", "/opportunities/{other}/stage", seeOther("/opportunities/board"))),
	sales(signedIn("GET", "/opportunities/:id/won", "/opportunities/{own}/won", ok200)),
	sales(ownerOrManager("GET", "/opportunities/:id/won", "/opportunities/{other}/won", ok200)),
	sales(signedIn("POST", "/opportunities/:id/won", "/opportunities/{own}/won", seeOther("/opportunities/{own}"))),
	sales(ownerOrManager("POST", "/opportunities/:id/won", "/opportunities/{other}/won", seeOther("/opportunities/{other}"))),
	sales(signedIn("GET", "/opportunities/:id/lost", "/opportunities/{own}/lost", ok200)),
	sales(ownerOrManager("GET", "/opportunities/:id/lost", "/opportunities/{other}/lost", ok200)),
	sales(signedIn("POST", "/opportunities/:id/lost", "/opportunities/{own}/lost", seeOther("/opportunities/{own}"))),
	sales(ownerOrManager("POST", "/opportunities/:id/lost", "/opportunities/{other}/lost", seeOther("/opportunities/{other}"))),
	// Only managers and admins reopen, even a rep's own closed opportunity.
	sales(managers("GET", "/opportunities/:id/reopen", "/opportunities/{own-closed}/reopen", ok200)),
	sales(managers("POST", "/opportunities/:id/reopen", "/opportunities/{own-closed}/reopen", seeOther("/opportunities/{own-closed}"))),
	sales(signedIn("POST", "/opportunities/:id/notes", "/opportunities/{own}/notes", seeOther("/opportunities/{own}"))),
	sales(ownerOrManager("POST", "/opportunities/:id/notes", "/opportunities/{other}/notes", seeOther("/opportunities/{other}"))),
	sales(signedIn("POST", "/opportunities/:id/todos", "/opportunities/{own}/todos", seeOther("/opportunities/{own}"))),
	sales(ownerOrManager("POST", "/opportunities/:id/todos", "/opportunities/{other}/todos", seeOther("/opportunities/{other}"))),
	// A to-do is ticked off by its assignee, its author, a manager or an admin.
	sales(signedIn("POST", "/todos/:id/done", "/todos/{own-todo}/done", seeOther("/"))),
	sales(ownerOrManager("POST", "/todos/:id/done", "/todos/{other-todo}/done", seeOther("/"))),

	// Marketing. Everyone reads every campaign and lead; reps change only their
	// own. {own-…} is a fresh record of the rep, {other-…} one of rep2;
	// {…-convertible} is a qualified lead with all four criteria.
	marketing(signedIn("GET", "/campaigns", "/campaigns", ok200)),
	marketing(signedIn("GET", "/campaigns/suggest", "/campaigns/suggest?q=a", ok200)),
	marketing(signedIn("GET", "/campaigns/new", "/campaigns/new", ok200)),
	marketing(signedIn("POST", "/campaigns", "/campaigns", seeOther("/campaigns/"))),
	marketing(signedIn("GET", "/campaigns/:id", "/campaigns/{other-campaign}", ok200)),
	marketing(signedIn("GET", "/campaigns/:id/edit", "/campaigns/{own-campaign}/edit", ok200)),
	marketing(ownerOrManager("GET", "/campaigns/:id/edit", "/campaigns/{other-campaign}/edit", ok200)),
	marketing(signedIn("POST", "/campaigns/:id", "/campaigns/{own-campaign}", seeOther("/campaigns/{own-campaign}"))),
	marketing(ownerOrManager("POST", "/campaigns/:id", "/campaigns/{other-campaign}", seeOther("/campaigns/{other-campaign}"))),
	marketing(signedIn("GET", "/leads", "/leads", ok200)),
	marketing(signedIn("GET", "/leads/export.csv", "/leads/export.csv", ok200)),
	marketing(signedIn("GET", "/leads/new", "/leads/new", ok200)),
	marketing(signedIn("POST", "/leads", "/leads", seeOther("/leads/"))),
	// Bulk: assigning is for managers and admins; setting the status is for
	// everyone (a rep's request changes only the rep's own leads).
	marketing(variant("assign", managers("POST", "/leads/bulk", "/leads/bulk", seeOther("/leads")))),
	marketing(variant("status", signedIn("POST", "/leads/bulk", "/leads/bulk", seeOther("/leads")))),
	marketing(signedIn("GET", "/leads/import", "/leads/import", ok200)),
	// A multipart upload with a "file" field (see TestAuthorization).
	marketing(signedIn("POST", "/leads/import", "/leads/import", seeOther("/leads/import/"))),
	marketing(uploaderOnly("GET", "/leads/import/:id", "/leads/import/{rep-import}", ok200)),
	marketing(variant("check", uploaderOnly("POST", "/leads/import/:id", "/leads/import/{rep-import}", ok200))),
	marketing(variant("import", uploaderOnly("POST", "/leads/import/:id", "/leads/import/{rep-import}", seeOther("/campaigns/{campaign}")))),
	marketing(signedIn("GET", "/leads/:id", "/leads/{other-lead}", ok200)),
	marketing(signedIn("GET", "/leads/:id/edit", "/leads/{own-lead}/edit", ok200)),
	marketing(ownerOrManager("GET", "/leads/:id/edit", "/leads/{other-lead}/edit", ok200)),
	marketing(signedIn("POST", "/leads/:id", "/leads/{own-lead}", seeOther("/leads/{own-lead}"))),
	marketing(ownerOrManager("POST", "/leads/:id", "/leads/{other-lead}", seeOther("/leads/{other-lead}"))),
	marketing(signedIn("POST", "/leads/:id/status", "/leads/{own-lead}/status", seeOther("/leads/{own-lead}"))),
	marketing(ownerOrManager("POST", "/leads/:id/status", "/leads/{other-lead}/status", seeOther("/leads/{other-lead}"))),
	marketing(signedIn("POST", "/leads/:id/convert", "/leads/{own-convertible}/convert", seeOther("/opportunities/"))),
	marketing(ownerOrManager("POST", "/leads/:id/convert", "/leads/{other-convertible}/convert", seeOther("/opportunities/"))),

	// Admin.
	adminOnly("GET", "/admin/activations", "/admin/activations", ok200),
	adminOnly("GET", "/admin/activations/:key/deactivate", "/admin/activations/quote_manager/deactivate", ok200),
	adminOnly("POST", "/admin/activations/:key", "/admin/activations/quote_manager", seeOther("/admin/activations")),
	sales(adminOnly("GET", "/admin/settings", "/admin/settings", ok200)),
	sales(adminOnly("POST", "/admin/settings/quote-number", "/admin/settings/quote-number", seeOther("/admin/settings"))),
	sales(adminOnly("GET", "/admin/stages", "/admin/stages", ok200)),
	sales(adminOnly("POST", "/admin/stages", "/admin/stages", seeOther("/admin/stages"))),
	sales(adminOnly("GET", "/admin/stages/:id/edit", "/admin/stages/{stage}/edit", ok200)),
	sales(adminOnly("POST", "/admin/stages/:id", "/admin/stages/{stage}", seeOther("/admin/stages"))),
	sales(adminOnly("POST", "/admin/stages/:id/move", "/admin/stages/{stage}/move", seeOther("/admin/stages"))),
	sales(adminOnly("GET", "/admin/stages/:id/delete", "/admin/stages/{stage}/delete", ok200)),
	sales(adminOnly("POST", "/admin/stages/:id/delete", "/admin/stages/{new-stage}/delete", seeOther("/admin/stages"))),
	sales(adminOnly("GET", "/admin/picklists/:kind", "/admin/picklists/competitor", ok200)),
	sales(adminOnly("POST", "/admin/picklists/:kind", "/admin/picklists/competitor", seeOther("/admin/picklists/competitor"))),
	sales(adminOnly("GET", "/admin/picklists/:kind/:id/edit", "/admin/picklists/competitor/{value}/edit", ok200)),
	sales(adminOnly("POST", "/admin/picklists/:kind/:id", "/admin/picklists/competitor/{value}", seeOther("/admin/picklists/competitor"))),
	sales(adminOnly("POST", "/admin/picklists/:kind/:id/move", "/admin/picklists/competitor/{value}/move", seeOther("/admin/picklists/competitor"))),
	sales(adminOnly("GET", "/admin/picklists/:kind/:id/delete", "/admin/picklists/competitor/{value}/delete", ok200)),
	sales(adminOnly("POST", "/admin/picklists/:kind/:id/delete", "/admin/picklists/competitor/{new-value}/delete", seeOther("/admin/picklists/competitor"))),
	adminOnly("GET", "/admin/users", "/admin/users", ok200),
	adminOnly("GET", "/admin/users/new", "/admin/users/new", ok200),
	adminOnly("POST", "/admin/users", "/admin/users", seeOther("/admin/users")),
	adminOnly("GET", "/admin/users/:id/edit", "/admin/users/{user}/edit", ok200),
	adminOnly("POST", "/admin/users/:id", "/admin/users/{user}", seeOther("/admin/users")),
	adminOnly("POST", "/admin/users/:id/password", "/admin/users/{user}/password", seeOther("/admin/users")),
}

// The product catalog: everyone signed in reads it; only admins change it.
// Tax rates and payment terms are admin pages of Sales. {product},
// {tax-rate} and {payment-term} are records of the fixture; {new-…} is a fresh
// unused one, to delete.
var catalogAuthzRoutes = []authzRoute{
	sales(signedIn("GET", "/products", "/products", ok200)),
	sales(signedIn("GET", "/products/export.csv", "/products/export.csv", ok200)),
	sales(adminOnly("GET", "/products/new", "/products/new", ok200)),
	sales(adminOnly("POST", "/products", "/products", seeOther("/products/"))),
	sales(adminOnly("GET", "/products/import", "/products/import", ok200)),
	// A multipart upload with a "file" field (see TestAuthorization).
	sales(adminOnly("POST", "/products/import", "/products/import", seeOther("/products?status=all"))),
	sales(signedIn("GET", "/products/:id", "/products/{product}", ok200)),
	sales(adminOnly("GET", "/products/:id/edit", "/products/{product}/edit", ok200)),
	sales(adminOnly("POST", "/products/:id", "/products/{product}", seeOther("/products/{product}"))),

	sales(adminOnly("GET", "/admin/tax-rates", "/admin/tax-rates", ok200)),
	sales(adminOnly("POST", "/admin/tax-rates", "/admin/tax-rates", seeOther("/admin/tax-rates"))),
	sales(adminOnly("GET", "/admin/tax-rates/:id/edit", "/admin/tax-rates/{tax-rate}/edit", ok200)),
	sales(adminOnly("POST", "/admin/tax-rates/:id", "/admin/tax-rates/{tax-rate}", seeOther("/admin/tax-rates"))),
	sales(adminOnly("POST", "/admin/tax-rates/:id/move", "/admin/tax-rates/{tax-rate}/move", seeOther("/admin/tax-rates"))),
	sales(adminOnly("GET", "/admin/tax-rates/:id/delete", "/admin/tax-rates/{tax-rate}/delete", ok200)),
	sales(adminOnly("POST", "/admin/tax-rates/:id/delete", "/admin/tax-rates/{new-tax-rate}/delete", seeOther("/admin/tax-rates"))),

	sales(adminOnly("GET", "/admin/payment-terms", "/admin/payment-terms", ok200)),
	sales(adminOnly("POST", "/admin/payment-terms", "/admin/payment-terms", seeOther("/admin/payment-terms"))),
	sales(adminOnly("GET", "/admin/payment-terms/:id/edit", "/admin/payment-terms/{payment-term}/edit", ok200)),
	sales(adminOnly("POST", "/admin/payment-terms/:id", "/admin/payment-terms/{payment-term}", seeOther("/admin/payment-terms"))),
	sales(adminOnly("POST", "/admin/payment-terms/:id/move", "/admin/payment-terms/{payment-term}/move", seeOther("/admin/payment-terms"))),
	sales(adminOnly("GET", "/admin/payment-terms/:id/delete", "/admin/payment-terms/{payment-term}/delete", ok200)),
	sales(adminOnly("POST", "/admin/payment-terms/:id/delete", "/admin/payment-terms/{new-payment-term}/delete", seeOther("/admin/payment-terms"))),
}

// unknownToken is a well-formed customer link that no quote has.
const unknownToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// The built-in quotes. Everyone signed in reads every quote (the editor, the
// print page, the PDF); changing one is for the quote's owner, the owner of
// its opportunity, managers and admins (see quoteEdit). Every quote route is
// gone, for every role, with Sales off or the Quote Manager integration on.
// The customer's link, /q/{token}, needs no sign-in; {token} is the link of
// a fresh sent quote.
var quoteAuthzRoutes = slices.Concat([]authzRoute{
	quoteList(signedIn("GET", "/quotes", "/quotes", ok200)),
	quotes(signedIn("GET", "/quotes/new", "/quotes/new", ok200)),
	quotes(signedIn("GET", "/opportunities/:id/quotes/new", "/opportunities/{own}/quotes/new", ok200)),
	quotes(ownerOrManager("GET", "/opportunities/:id/quotes/new", "/opportunities/{other}/quotes/new", ok200)),
	quotes(signedIn("POST", "/opportunities/:id/quotes", "/opportunities/{own}/quotes", seeOther("/quotes/"))),
	quotes(ownerOrManager("POST", "/opportunities/:id/quotes", "/opportunities/{other}/quotes", seeOther("/quotes/"))),
	quotes(signedIn("GET", "/quotes/:id", "/quotes/{own-quote}", ok200)),
	quotes(signedIn("GET", "/quotes/:id", "/quotes/{other-quote}", ok200)),
	quotes(signedIn("GET", "/quotes/:id", "/quotes/{other-quote}.pdf", ok200)),
	quotes(signedIn("GET", "/quotes/:id/print", "/quotes/{other-quote}/print", ok200)),
	// Outbox: the e-mails the app sent or would send, for admins.
	adminOnly("GET", "/admin/outbox", "/admin/outbox", ok200),

	customer("GET", "/q/:token", "/q/{token}", ok200),
	customer("GET", "/q/:token", "/q/"+unknownToken, notFound),
	customer("POST", "/q/:token", "/q/{token}", seeOther("/q/{token}")),
	customer("POST", "/q/:token", "/q/"+unknownToken, notFound),
	customer("GET", "/q/:token/pdf", "/q/{token}/pdf", ok200),
	customer("GET", "/q/:token/pdf", "/q/"+unknownToken+"/pdf", notFound),
},
	quoteEdit("GET", "/quotes/:id/edit", "/quotes/{quote}/edit", ok200),
	quoteEdit("POST", "/quotes/:id", "/quotes/{quote}", seeOther("/quotes/{quote}")),
	quoteEdit("POST", "/quotes/:id/items", "/quotes/{quote}/items", seeOther("/quotes/{quote}")),
	quoteEdit("GET", "/quotes/:id/items/:item/edit", "/quotes/{quote}/items/{item}/edit", ok200),
	quoteEdit("POST", "/quotes/:id/items/:item", "/quotes/{quote}/items/{item}", seeOther("/quotes/{quote}")),
	quoteEdit("POST", "/quotes/:id/items/:item/delete", "/quotes/{quote}/items/{item}/delete", seeOther("/quotes/{quote}")),
	quoteEdit("POST", "/quotes/:id/items/:item/move", "/quotes/{quote}/items/{item}/move", seeOther("/quotes/{quote}")),
	quoteEdit("GET", "/quotes/:id/import", "/quotes/{quote}/import", ok200),
	quoteEdit("POST", "/quotes/:id/import", "/quotes/{quote}/import", seeOther("/quotes/{quote}")),
	quoteEdit("GET", "/quotes/:id/import/suggest", "/quotes/{quote}/import/suggest?q=a", ok200),
	quoteEdit("POST", "/quotes/:id/primary", "/quotes/{quote}/primary", seeOther("/quotes/{quote}")),
	quoteEdit("POST", "/quotes/:id/copy", "/quotes/{quote}/copy", seeOther("/quotes/")),
	quoteEdit("POST", "/quotes/:id/send", "/quotes/{quote}/send", seeOther("/quotes/{quote}")),
	quoteLinkRows("regenerate"),
	quoteLinkRows("revoke"),
	// Winning or losing a quote closes its opportunity: that is changing the
	// opportunity, which a rep may do only to their own.
	bugFor("{rep-quote-other-opp}", forbidden, quoteOutcomeBug, quoteEdit("GET", "/quotes/:id/won", "/quotes/{quote}/won", ok200)),
	bugFor("{rep-quote-other-opp}", forbidden, quoteOutcomeBug, quoteEdit("POST", "/quotes/:id/won", "/quotes/{quote}/won", seeOther("/opportunities/{quote-opp}"))),
	bugFor("{rep-quote-other-opp}", forbidden, quoteOutcomeBug, quoteEdit("GET", "/quotes/:id/lost", "/quotes/{quote}/lost", ok200)),
	bugFor("{rep-quote-other-opp}", forbidden, quoteOutcomeBug, quoteEdit("POST", "/quotes/:id/lost", "/quotes/{quote}/lost", seeOther("/opportunities/{quote-opp}"))),
)

const quoteOutcomeBug = "a rep who owns a quote of another rep's opportunity closes that opportunity won or lost through " +
	"/quotes/:id/won and /lost, although /opportunities/:id/won and /lost refuse them (403): quoteOutcome checks only canEditQuote"

// quoteLinkRows are the rows of POST /quotes/:id/link for one action, on a
// quote sent to the customer ({sent-…} is the same quote, sent).
func quoteLinkRows(action string) []authzRoute {
	rows := quoteEdit("POST", "/quotes/:id/link", "/quotes/{quote}/link", seeOther("/quotes/{quote}"))
	sent := func(s string) string { return strings.Replace(s, "/quotes/{", "/quotes/{sent-", 1) }
	for i := range rows {
		rows[i] = variant(action, rows[i])
		rows[i].path = sent(rows[i].path)
		for _, e := range []*expect{&rows[i].rep, &rows[i].manager, &rows[i].admin} {
			e.loc = sent(e.loc)
		}
	}
	return rows
}

// authzCases expands the route table into one case per role and feature
// state: Sales on and off for every route, and Marketing off on its own too
// for the Marketing routes.
func authzCases() []authzCase {
	var cases []authzCase
	for _, r := range authzRoutes {
		states := []featureState{allOn, salesOff}
		if r.marketingOnly {
			states = []featureState{allOn, marketingOff, salesOff}
		}
		if r.builtinQuotes {
			states = []featureState{allOn, quoteManagerOn, salesOff}
		}
		if r.procurementOnly {
			states = []featureState{allOn, procurementOff, salesOff}
		}
		if r.quoteManagerOnly || r.bothQuoteSources {
			states = []featureState{quoteManagerOn, allOn, salesOff}
		}
		for _, st := range states {
			for _, role := range authzRoles {
				e := map[string]expect{roleAnon: r.anon, roleRep: r.rep, roleManager: r.manager, roleAdmin: r.admin}[role]
				off := (r.salesOnly && st == salesOff) || (r.marketingOnly && st != allOn && st != quoteManagerOn) ||
					(r.builtinQuotes && st == quoteManagerOn) || (r.procurementOnly && st == procurementOff) ||
					(r.quoteManagerOnly && st != quoteManagerOn)
				if off && (role != roleAnon || r.public) {
					// A deactivated feature does not exist, for every role. A
					// signed-out visitor is sent to sign in first, unless the
					// page is one for signed-out visitors.
					e = notFound
				}
				bug := ""
				if role == roleRep && !off {
					bug = r.bug
				}
				cases = append(cases, authzCase{method: r.method, route: r.route, path: r.path, variant: r.variant, role: role,
					state: st, want: e.status, loc: e.loc, bug: bug})
			}
		}
	}
	return cases
}

// authzFixture holds the records the table's paths and forms point at.
type authzFixture struct {
	app                   *testApp
	org                   models.Organization
	contact               models.Contact
	rep, rep2, admin      models.User
	openStages            []models.Stage
	stage                 models.Stage         // an extra stage for the admin routes
	value                 models.PicklistValue // a competitor
	winReason, lossReason uint
	campaign              models.Campaign // of rep2, for imports to land in
	product               models.Product  // a catalog product, on every fixture quote
	taxRate               models.TaxRate
	paymentTerm           models.PaymentTerm
	sourceQuote           uint // a quote whose items the import rows copy
	seq                   int
}

func newAuthzFixture(t *testing.T, app *testApp) *authzFixture {
	t.Helper()
	f := &authzFixture{app: app, rep: userByEmail(t, app, "rep@example.com"), rep2: userByEmail(t, app, "rep2@example.com"),
		admin: userByEmail(t, app, "admin@example.com")}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(app.DB.Where("name = ?", "Northwind Traders").First(&f.org).Error)
	must(app.DB.Where("organization_id = ?", f.org.ID).Order("id").First(&f.contact).Error)
	must(app.DB.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).Order("position, id").Find(&f.openStages).Error)
	if len(f.openStages) < 2 {
		t.Fatalf("the demo data needs two open stages, has %d", len(f.openStages))
	}
	f.stage = models.Stage{Name: "Authz stage", DefaultProbability: 40, Active: true}
	must(models.SaveStage(app.DB, &f.stage))
	must(app.DB.Where("kind = ? AND active = ?", models.Competitors, true).Order("position, id").First(&f.value).Error)
	var win, loss models.PicklistValue
	must(app.DB.Where("kind = ? AND active = ?", models.WinReasons, true).First(&win).Error)
	must(app.DB.Where("kind = ? AND active = ?", models.LossReasons, true).First(&loss).Error)
	f.winReason, f.lossReason = win.ID, loss.ID
	f.campaign = models.Campaign{ID: f.newCampaign(t, f.rep2)}
	must(app.DB.First(&f.campaign, f.campaign.ID).Error)
	f.product = models.Product{Name: "Authz firewall", SKU: "AUTHZ-FW", Type: models.KindProduct, Period: models.OneTime,
		UnitPrice: 1_195_00, UnitCost: 820_00, Taxable: true, Active: true}
	must(models.SaveProduct(app.DB, &f.product))
	f.taxRate = models.TaxRate{ID: f.newTaxRate(t)}
	must(app.DB.First(&f.taxRate, f.taxRate.ID).Error)
	f.paymentTerm = models.PaymentTerm{ID: f.newPaymentTerm(t)}
	must(app.DB.First(&f.paymentTerm, f.paymentTerm.ID).Error)
	f.sourceQuote = f.newQuote(t, f.rep2, f.rep2, false)
	return f
}

// newTaxRate creates an active tax rate that no quote uses.
func (f *authzFixture) newTaxRate(t *testing.T) uint {
	t.Helper()
	f.seq++
	r := models.TaxRate{Name: "Authz rate " + strconv.Itoa(f.seq), Rate: 5500, Position: 1000 + f.seq, Active: true}
	if err := models.SaveTaxRate(f.app.DB, &r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// newPaymentTerm creates an active payment term that no quote uses.
func (f *authzFixture) newPaymentTerm(t *testing.T) uint {
	t.Helper()
	f.seq++
	p := models.PaymentTerm{Name: "Authz term " + strconv.Itoa(f.seq), Days: 45, Position: 1000 + f.seq, Active: true}
	if err := models.SavePaymentTerm(f.app.DB, &p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// newQuote creates a draft quote of owner on a fresh open opportunity of
// oppOwner, with a catalog line and a free-form line; sent sends it, giving
// it a customer link.
func (f *authzFixture) newQuote(t *testing.T, owner, oppOwner models.User, sent bool) uint {
	t.Helper()
	opp := f.newOpp(t, oppOwner, false)
	f.seq++
	now := time.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	q := models.Quote{OpportunityID: opp, OwnerID: owner.ID, Name: "Authz quote " + strconv.Itoa(f.seq), EffectiveDate: day,
		ExpirationDate: day.AddDate(0, 0, 30), TermMonths: 12, Items: []models.QuoteItem{
			{Kind: models.KindProduct, ProductID: &f.product.ID, Name: f.product.Name, Quantity: 2 * models.QuantityScale,
				UnitPrice: f.product.UnitPrice, UnitCost: f.product.UnitCost, Period: models.OneTime, Taxable: true},
			{Kind: models.KindService, Name: "Authz set-up", Quantity: models.QuantityScale, UnitPrice: 500_00, Period: models.OneTime},
		}}
	if err := models.CreateQuote(f.app.DB, &q); err != nil {
		t.Fatal(err)
	}
	if sent {
		if err := models.SendQuote(f.app.DB, &q, "buyer@example.com", now); err != nil {
			t.Fatal(err)
		}
	}
	return q.ID
}

// quoteOf is the quote of a case, with its items.
func (f *authzFixture) quoteOf(t *testing.T, ids map[string]uint) *models.Quote {
	t.Helper()
	id, ok := ids["quote"]
	if !ok {
		t.Fatalf("the path names no quote")
	}
	q, err := models.LoadQuote(f.app.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// token is the customer link of the case's sent quote ({token}): a fresh
// quote of rep2, sent, the first time it is asked for.
func (f *authzFixture) token(t *testing.T, ids map[string]uint) string {
	t.Helper()
	if _, ok := ids["token"]; !ok {
		ids["token"] = f.newQuote(t, f.rep2, f.rep2, true)
	}
	ids["quote"] = ids["token"]
	q := f.quoteOf(t, ids)
	if q.Token == nil {
		t.Fatalf("quote %d has no customer link", q.ID)
	}
	return *q.Token
}

// productCSV is a small valid product import file with one new product.
func (f *authzFixture) productCSV() []byte {
	f.seq++
	n := strconv.Itoa(f.seq)
	return []byte(strings.Join(models.ProductCSVHeader, ",") + "\nAuthz imported " + n + ",AUTHZ-IMP-" + n + ",product,,10.00,5.00,one_time,yes,yes\n")
}

// newCampaign creates a campaign of owner.
func (f *authzFixture) newCampaign(t *testing.T, owner models.User) uint {
	t.Helper()
	f.seq++
	start := time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)
	cp := models.Campaign{Name: "Authz campaign " + strconv.Itoa(f.seq), Type: "webinar", StartDate: &start, Cost: 50000, OwnerID: owner.ID}
	if err := f.app.DB.Create(&cp).Error; err != nil {
		t.Fatal(err)
	}
	return cp.ID
}

// newLead creates a New lead of owner; a convertible one is Qualified with
// all four criteria, ready to become an opportunity.
func (f *authzFixture) newLead(t *testing.T, owner models.User, convertible bool) uint {
	t.Helper()
	f.seq++
	n := strconv.Itoa(f.seq)
	l := models.Lead{PersonName: "Authz Lead " + n, CompanyName: "Authz Lead Co " + n, Email: "authz-lead-" + n + "@example.com",
		OwnerID: owner.ID, CampaignID: &f.campaign.ID}
	if convertible {
		l.Need, l.Solution, l.Timeframe, l.Budget = true, true, true, true
	}
	now := time.Now().UTC()
	if err := models.CreateLead(f.app.DB, &l, &owner, now); err != nil {
		t.Fatal(err)
	}
	if convertible {
		if err := models.SetLeadStatus(f.app.DB, &l, models.LeadQualified, "", &owner, now); err != nil {
			t.Fatal(err)
		}
	}
	return l.ID
}

// importCSV is a small valid lead file with one new lead.
func (f *authzFixture) importCSV() []byte {
	f.seq++
	n := strconv.Itoa(f.seq)
	return []byte("Name,Email\nAuthz Imported " + n + ",authz-import-" + n + "@example.com\n")
}

// newImport stores an uploaded, not yet imported file of owner.
func (f *authzFixture) newImport(t *testing.T, owner models.User) uint {
	t.Helper()
	imp := models.LeadImport{UserID: owner.ID, Filename: "authz.csv", Content: string(f.importCSV()), CreatedAt: time.Now().UTC()}
	if err := f.app.DB.Create(&imp).Error; err != nil {
		t.Fatal(err)
	}
	return imp.ID
}

// newOpp creates an open opportunity of owner, or a lost one when closed.
func (f *authzFixture) newOpp(t *testing.T, owner models.User, closed bool) uint {
	t.Helper()
	f.seq++
	now := time.Now().UTC()
	contact := f.contact.ID
	o := models.Opportunity{Title: "Authz deal " + strconv.Itoa(f.seq), OrganizationID: f.org.ID, ContactID: &contact,
		OwnerID: owner.ID, StageID: f.openStages[0].ID, Status: models.StatusActive,
		ProjectedCloseDate: time.Date(2031, 1, 31, 0, 0, 0, 0, time.UTC), Revenue: models.Amounts{OneTime: 100000}}
	if err := models.CreateOpportunity(f.app.DB, &o, &owner, now); err != nil {
		t.Fatal(err)
	}
	if closed {
		in := models.OutcomeInput{ReasonID: f.lossReason, Date: now}
		if err := models.MarkLost(f.app.DB, &o, o.Version, in, &f.admin, now); err != nil {
			t.Fatal(err)
		}
	}
	return o.ID
}

// newExternalQuote stores a quote of the Quote Manager for opportunity opp.
func (f *authzFixture) newExternalQuote(t *testing.T, opp uint, status models.ExternalStatus) uint {
	t.Helper()
	f.seq++
	in := models.ExternalQuoteInput{ExternalID: "AUTHZ-" + strconv.Itoa(f.seq), Number: "QM-" + strconv.Itoa(f.seq), Title: "Authz external quote",
		OpportunityID: opp, Status: status, Currency: "USD", OneTime: 50000, Total: 50000, ExpiresOn: time.Now().UTC().AddDate(0, 1, 0),
		OwnerEmail: "rep@example.com", DocumentURL: "https://qm.example.com/d/1.pdf", UpdatedAt: time.Now().UTC()}
	_, q, _, err := models.UpsertExternalQuote(f.app.DB, in, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return q.ID
}

// newSalesOrder wins a fresh quote of owner, with its product line, with
// Procurement on (whatever state the previous case left), and returns the
// sales order the win created.
func (f *authzFixture) newSalesOrder(t *testing.T, owner models.User) uint {
	t.Helper()
	for _, k := range []string{models.FeatureSales, models.FeatureProcurement} {
		if _, err := models.SetFeature(f.app.DB, k, true, nil, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	q, err := models.LoadQuote(f.app.DB, f.newQuote(t, owner, owner, false))
	if err != nil {
		t.Fatal(err)
	}
	in := models.OutcomeInput{ReasonID: f.winReason, Date: time.Now().UTC()}
	if err := models.WinFromQuote(f.app.DB, q, in, &owner, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	so, err := models.SalesOrderOf(f.app.DB, q.OpportunityID)
	if err != nil || so == nil {
		t.Fatalf("winning quote %d made no sales order: %v", q.ID, err)
	}
	return so.ID
}

// newPurchaseOrder creates the purchase order of a fresh sales order of
// owner, submitted to the vendor when sent. The fixture's product gets the
// demo vendor back first: a case may have saved the product without it.
func (f *authzFixture) newPurchaseOrder(t *testing.T, owner models.User, sent bool) uint {
	t.Helper()
	soID := f.newSalesOrder(t, owner)
	var vendor models.Organization
	if err := f.app.DB.Where("type = ?", models.VendorType).Order("id").First(&vendor).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.app.DB.Model(&models.Product{}).Where("id = ?", f.product.ID).Updates(map[string]any{"vendor_id": vendor.ID, "no_procurement": false}).Error; err != nil {
		t.Fatal(err)
	}
	pos, _, err := models.CreatePurchaseOrders(f.app.DB, soID, nil, &owner, time.Now().UTC())
	if err != nil || len(pos) != 1 {
		t.Fatalf("purchase orders of sales order %d: %d, %v", soID, len(pos), err)
	}
	if sent {
		if err := models.SubmitPurchaseOrder(f.app.DB, &pos[0], pos[0].Version, &owner, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return pos[0].ID
}

// purchaseOrder is the case's purchase order, as stored now.
func (f *authzFixture) purchaseOrder(t *testing.T, ids map[string]uint) *models.PurchaseOrder {
	t.Helper()
	po, err := models.LoadPurchaseOrder(f.app.DB, ids["po"])
	if err != nil {
		t.Fatal(err)
	}
	return po
}

// salesOrder is the case's sales order, as stored now.
func (f *authzFixture) salesOrder(t *testing.T, ids map[string]uint) *models.SalesOrder {
	t.Helper()
	so, err := models.LoadSalesOrder(f.app.DB, ids["so"])
	if err != nil {
		t.Fatal(err)
	}
	return so
}

// resolve replaces the {placeholders} of a case's path with ids, creating the
// fresh records a case may use up (an opportunity to close, a stage to delete).
func (f *authzFixture) resolve(t *testing.T, path string, ids map[string]uint) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(path, func(m string) string {
		key := m[1 : len(m)-1]
		if key == "token" {
			return f.token(t, ids)
		}
		if id, ok := ids[key]; ok {
			return idString(id)
		}
		var id uint
		// {sent-…} is the quote {…}, sent to the customer.
		quoteKey, sent := strings.CutPrefix(key, "sent-")
		// The quote's owner and its opportunity's owner.
		owners := map[string][2]models.User{"own-quote": {f.rep, f.rep}, "other-quote": {f.rep2, f.rep2},
			"own-opp-quote": {f.rep2, f.rep}, "rep-quote-other-opp": {f.rep, f.rep2}}
		if who, ok := owners[quoteKey]; ok {
			id = f.newQuote(t, who[0], who[1], sent)
			ids[key], ids["quote"] = id, id
			return idString(id)
		}
		if who, status, ok := strings.Cut(key, "-ext-"); ok {
			owner := map[string]models.User{"own": f.rep, "other": f.rep2}[who]
			opp := f.newOpp(t, owner, false)
			id = f.newExternalQuote(t, opp, models.ExternalStatus(status))
			ids[key], ids["ext-opp"] = id, opp
			return idString(id)
		}
		switch key {
		case "item":
			// The last line of the case's quote.
			q := f.quoteOf(t, ids)
			id = q.Items[len(q.Items)-1].ID
			ids[key] = id
			return idString(id)
		case "quote-opp":
			id = f.quoteOf(t, ids).OpportunityID
			ids[key] = id
			return idString(id)
		case "product":
			id = f.product.ID
		case "tax-rate":
			id = f.taxRate.ID
		case "new-tax-rate":
			id = f.newTaxRate(t)
		case "payment-term":
			id = f.paymentTerm.ID
		case "new-payment-term":
			id = f.newPaymentTerm(t)
		case "org":
			id = f.org.ID
		case "contact":
			id = f.contact.ID
		case "user":
			id = f.rep2.ID
		case "own":
			id = f.newOpp(t, f.rep, false)
		case "other":
			id = f.newOpp(t, f.rep2, false)
		case "own-closed":
			id = f.newOpp(t, f.rep, true)
		case "own-so", "other-so":
			who := f.rep
			if key == "other-so" {
				who = f.rep2
			}
			id = f.newSalesOrder(t, who)
			ids[key], ids["so"] = id, id
			return idString(id)
		case "own-po", "other-po", "own-sent-po", "other-sent-po":
			who := f.rep
			if strings.HasPrefix(key, "other") {
				who = f.rep2
			}
			id = f.newPurchaseOrder(t, who, strings.Contains(key, "sent"))
			ids[key], ids["po"] = id, id
			return idString(id)
		case "own-todo", "other-todo":
			who := f.rep
			if key == "other-todo" {
				who = f.rep2
			}
			td := models.Todo{OpportunityID: f.newOpp(t, who, false), Title: "Authz to-do", AssigneeID: who.ID, CreatedByID: who.ID}
			if err := models.AddTodo(f.app.DB, &td); err != nil {
				t.Fatal(err)
			}
			id = td.ID
		case "stage":
			id = f.stage.ID
		case "new-stage":
			f.seq++
			s := models.Stage{Name: "Authz doomed stage " + strconv.Itoa(f.seq), DefaultProbability: 5, Active: true}
			if err := models.SaveStage(f.app.DB, &s); err != nil {
				t.Fatal(err)
			}
			id = s.ID
		case "value":
			id = f.value.ID
		case "campaign":
			id = f.campaign.ID
		case "own-campaign":
			id = f.newCampaign(t, f.rep)
		case "other-campaign":
			id = f.newCampaign(t, f.rep2)
		case "own-lead":
			id = f.newLead(t, f.rep, false)
		case "other-lead":
			id = f.newLead(t, f.rep2, false)
		case "own-convertible":
			id = f.newLead(t, f.rep, true)
		case "other-convertible":
			id = f.newLead(t, f.rep2, true)
		case "rep-import":
			id = f.newImport(t, f.rep)
		case "new-value":
			f.seq++
			v := models.PicklistValue{Kind: models.Competitors, Name: "Authz doomed rival " + strconv.Itoa(f.seq), Position: 1000 + f.seq, Active: true}
			if err := f.app.DB.Create(&v).Error; err != nil {
				t.Fatal(err)
			}
			id = v.ID
		default:
			t.Fatalf("unknown placeholder %s", m)
		}
		ids[key] = id
		ids["opp"] = id // the record of the path, for the body
		return idString(id)
	})
}

var placeholder = regexp.MustCompile(`\{[a-z-]+\}`)

// oppForm is a valid edit form for opportunity id as it is stored now.
func (f *authzFixture) oppForm(t *testing.T, id uint) url.Values {
	o := loadOpp(t, f.app, id)
	v := url.Values{}
	v.Set("version", strconv.Itoa(o.Version))
	v.Set("title", o.Title+" (edited)")
	v.Set("organization_id", idString(o.OrganizationID))
	v.Set("owner_id", idString(o.OwnerID))
	v.Set("stage_id", idString(o.StageID))
	v.Set("status", string(o.Status))
	v.Set("rating", string(o.Rating))
	v.Set("projected_close_date", o.ProjectedCloseDate.Format("2006-01-02"))
	v.Set("revenue_one_time", o.Revenue.OneTime.Input())
	if o.ContactID != nil {
		v.Set("contact_id", idString(*o.ContactID))
	}
	return v
}

// body is a valid form for the case, so that a permitted request succeeds and
// only authorization can turn it down.
func (f *authzFixture) body(t *testing.T, c authzCase, ids map[string]uint) url.Values {
	f.seq++
	n := strconv.Itoa(f.seq)
	today := time.Now().UTC().Format("2006-01-02")
	version := func() string { return strconv.Itoa(loadOpp(t, f.app, ids["opp"]).Version) }
	switch c.method + " " + c.route {
	case "POST /login":
		return url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}}
	case "POST /setup":
		return url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {"eve-password"}}
	case "POST /organizations":
		return url.Values{"name": {"Authz Org " + n}, "type": {"prospect"}}
	case "POST /organizations/:id":
		return url.Values{"name": {f.org.Name}, "type": {string(f.org.Type)}, "address": {f.org.Address}, "city": {f.org.City},
			"postal_code": {f.org.PostalCode}, "country": {f.org.Country}, "phone": {f.org.Phone}, "website": {f.org.Website},
			"owner_id": {optIDString(f.org.OwnerID)}}
	case "POST /organizations/:id/contacts":
		return url.Values{"last_name": {"Authz " + n}}
	case "POST /contacts/:id":
		return url.Values{"first_name": {f.contact.FirstName}, "last_name": {f.contact.LastName}, "title": {f.contact.Title},
			"email": {f.contact.Email}, "phone": {f.contact.Phone}}
	case "POST /opportunities":
		return url.Values{"title": {"Authz new deal " + n}, "organization_id": {idString(f.org.ID)}, "owner_id": {idString(f.rep.ID)},
			"stage_id": {idString(f.openStages[0].ID)}, "status": {"active"}, "projected_close_date": {"2031-01-31"}}
	case "POST /opportunities/reassign":
		return url.Values{"ids": {idString(f.newOpp(t, f.rep2, false))}, "owner_id": {idString(f.rep.ID)}}
	case "POST /opportunities/:id":
		return f.oppForm(t, ids["opp"])
	case "POST /opportunities/:id/stage":
		return url.Values{"version": {version()}, "stage_id": {idString(f.openStages[1].ID)}}
	case "POST /admin/quote-manager":
		return url.Values{"display_name": {"Quote Manager"}, "base_url": {"https://qm.example.com/quotes/new"}}
	case "POST /external-quotes/:id/won":
		return url.Values{"reason_id": {idString(f.winReason)}, "date": {today}}
	case "POST /external-quotes/:id/lost":
		return url.Values{"reason_id": {idString(f.lossReason)}, "date": {today}}
	case "POST /opportunities/:id/won":
		return url.Values{"version": {version()}, "reason_id": {idString(f.winReason)}, "date": {today}}
	case "POST /opportunities/:id/lost":
		return url.Values{"version": {version()}, "reason_id": {idString(f.lossReason)}, "date": {today}}
	case "POST /opportunities/:id/reopen":
		return url.Values{"version": {version()}, "reason": {"The customer came back."}}
	case "POST /opportunities/:id/notes":
		return url.Values{"kind": {"call"}, "body": {"Called about the scope."}}
	case "POST /opportunities/:id/todos":
		return url.Values{"title": {"Send the proposal"}, "assignee_id": {idString(f.rep.ID)}}
	case "POST /todos/:id/done":
		return url.Values{"done": {"on"}}
	case "POST /admin/activations/:key":
		return url.Values{"active": {"off"}}
	case "POST /admin/stages":
		return url.Values{"name": {"Authz new stage " + n}, "default_probability": {"30"}, "active": {"on"}}
	case "POST /admin/stages/:id":
		return url.Values{"name": {f.stage.Name}, "default_probability": {strconv.Itoa(f.stage.DefaultProbability)}, "active": {"on"}}
	case "POST /admin/stages/:id/move", "POST /admin/picklists/:kind/:id/move", "POST /admin/tax-rates/:id/move",
		"POST /admin/payment-terms/:id/move", "POST /quotes/:id/items/:item/move":
		return url.Values{"dir": {"up"}}
	case "POST /admin/settings/quote-number":
		return url.Values{"next_quote_number": {strconv.Itoa(5000 + f.seq)}}
	case "POST /products":
		return url.Values{"name": {"Authz product " + n}, "sku": {"AUTHZ-NEW-" + n}, "type": {"product"}, "period": {"one_time"},
			"unit_price": {"10.00"}, "unit_cost": {"4.00"}, "taxable": {"on"}, "active": {"on"}}
	case "POST /products/:id":
		p := f.product
		return url.Values{"name": {p.Name}, "sku": {p.SKU}, "type": {string(p.Type)}, "period": {string(p.Period)},
			"unit_price": {p.UnitPrice.Input0()}, "unit_cost": {p.UnitCost.Input()}, "taxable": {"on"}, "active": {"on"}}
	case "POST /admin/tax-rates":
		return url.Values{"name": {"Authz new rate " + n}, "rate": {"6.25"}, "active": {"on"}}
	case "POST /admin/tax-rates/:id":
		return url.Values{"name": {f.taxRate.Name}, "rate": {models.RateInput(f.taxRate.Rate)}, "active": {"on"}}
	case "POST /admin/payment-terms":
		return url.Values{"name": {"Authz new term " + n}, "days": {"60"}, "active": {"on"}}
	case "POST /admin/payment-terms/:id":
		return url.Values{"name": {f.paymentTerm.Name}, "days": {strconv.Itoa(f.paymentTerm.Days)}, "active": {"on"}}
	case "POST /opportunities/:id/quotes":
		return url.Values{"name": {"Authz new quote " + n}, "effective_date": {today},
			"expiration_date": {time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")}, "term_months": {"12"}}
	case "POST /quotes/:id":
		q := f.quoteOf(t, ids)
		return url.Values{"name": {q.Name + " (edited)"}, "effective_date": {q.EffectiveDate.Format("2006-01-02")},
			"expiration_date": {q.ExpirationDate.Format("2006-01-02")}, "term_months": {strconv.Itoa(q.TermMonths)},
			"tax_rate_id": {idString(f.taxRate.ID)}, "payment_term_id": {idString(f.paymentTerm.ID)}}
	case "POST /quotes/:id/items":
		return url.Values{"kind": {"service"}, "name": {"Authz line " + n}, "quantity": {"1.5"}, "unit_price": {"100.00"},
			"period": {"monthly"}, "taxable": {"on"}}
	case "POST /quotes/:id/items/:item":
		var it models.QuoteItem
		if err := f.app.DB.First(&it, ids["item"]).Error; err != nil {
			t.Fatal(err)
		}
		return url.Values{"kind": {string(it.Kind)}, "name": {it.Name + " (edited)"}, "quantity": {"3"},
			"unit_price": {it.UnitPrice.Input()}, "unit_cost": {it.UnitCost.Input()}, "period": {string(it.Period)}, "taxable": {"on"}}
	case "POST /quotes/:id/import":
		return url.Values{"from": {idString(f.sourceQuote)}}
	case "POST /quotes/:id/send":
		return url.Values{"to": {"authz-buyer-" + n + "@example.com"}}
	case "POST /quotes/:id/link":
		return url.Values{"action": {c.variant}}
	case "POST /quotes/:id/won":
		return url.Values{"reason_id": {idString(f.winReason)}, "date": {today}}
	case "POST /quotes/:id/lost":
		return url.Values{"reason_id": {idString(f.lossReason)}, "date": {today}}
	case "POST /sales-orders/:id":
		so := f.salesOrder(t, ids)
		return url.Values{"version": {strconv.Itoa(so.Version)}, "owner_id": {idString(so.OwnerID)}, "contact_id": {optIDString(so.ContactID)},
			"status": {"in_progress"}, "promised_date": {time.Now().UTC().AddDate(0, 0, 14).Format("2006-01-02")}, "bill_to": {so.BillTo},
			"ship_to": {so.ShipTo}, "notes": {"Edited by the authorization table."}}
	case "POST /sales-orders/:id/fulfilments":
		so := f.salesOrder(t, ids)
		return url.Values{"version": {strconv.Itoa(so.Version)}, "date": {today}, "note": {"Delivered"}, "qty_" + idString(so.Lines[0].ID): {"1"}}
	case "POST /sales-orders/:id/cancel":
		so := f.salesOrder(t, ids)
		return url.Values{"version": {strconv.Itoa(so.Version)}, "reason": {"The customer withdrew."}}
	case "POST /sales-orders/:id/purchase-orders":
		// The fixture's product may have lost its vendor to a product edit.
		var vendor models.Organization
		if err := f.app.DB.Where("type = ?", models.VendorType).Order("id").First(&vendor).Error; err != nil {
			t.Fatal(err)
		}
		if err := f.app.DB.Model(&models.Product{}).Where("id = ?", f.product.ID).Updates(map[string]any{"vendor_id": vendor.ID, "no_procurement": false}).Error; err != nil {
			t.Fatal(err)
		}
		return url.Values{"expected_date": {time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")}}
	case "POST /purchase-orders/:id":
		po := f.purchaseOrder(t, ids)
		return url.Values{"version": {strconv.Itoa(po.Version)}, "expected_date": {time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02")},
			"notes": {"Edited by the authorization table."}}
	case "POST /purchase-orders/:id/submit":
		return url.Values{"version": {strconv.Itoa(f.purchaseOrder(t, ids).Version)}}
	case "POST /purchase-orders/:id/receipts":
		po := f.purchaseOrder(t, ids)
		return url.Values{"version": {strconv.Itoa(po.Version)}, "date": {today}, "qty_" + idString(po.Lines[0].ID): {"1"}}
	case "POST /purchase-orders/:id/cancel":
		return url.Values{"version": {strconv.Itoa(f.purchaseOrder(t, ids).Version)}, "reason": {"Ordered by mistake."}}
	case "POST /q/:token":
		return url.Values{"name": {"Authz Buyer " + n}, "answer": {"approve"}, "comment": {"Approved by the authorization table."}}
	case "POST /admin/picklists/:kind":
		return url.Values{"name": {"Authz rival " + n}, "active": {"on"}}
	case "POST /admin/picklists/:kind/:id":
		return url.Values{"name": {f.value.Name}, "description": {f.value.Description}, "active": {"on"}}
	case "POST /admin/users":
		return url.Values{"name": {"Authz User"}, "email": {"authz" + n + "@example.com"}, "role": {"rep"}, "password": {"authz-password"}}
	case "POST /admin/users/:id":
		return url.Values{"name": {f.rep2.Name}, "role": {string(f.rep2.Role)}, "active": {"on"}}
	case "POST /admin/users/:id/password":
		return url.Values{"password": {"authz-password-" + n}}
	case "POST /campaigns":
		return url.Values{"name": {"Authz new campaign " + n}, "type": {"webinar"}, "start_date": {today}, "cost": {"1,250.00"},
			"owner_id": {idString(f.rep.ID)}}
	case "POST /campaigns/:id":
		var cp models.Campaign
		if err := f.app.DB.First(&cp, ids["opp"]).Error; err != nil {
			t.Fatal(err)
		}
		return url.Values{"name": {cp.Name + " (edited)"}, "type": {string(cp.Type)}, "start_date": {cp.StartDate.Format("2006-01-02")},
			"cost": {cp.Cost.Input()}, "owner_id": {idString(cp.OwnerID)}, "description": {"Edited by the authorization table."}}
	case "POST /leads":
		return url.Values{"person_name": {"Authz New Lead " + n}, "email": {"authz-new-lead-" + n + "@example.com"},
			"campaign_id": {idString(f.campaign.ID)}, "owner_id": {idString(f.rep.ID)}}
	case "POST /leads/bulk":
		if c.variant == "assign" {
			return url.Values{"action": {"assign"}, "ids": {idString(f.newLead(t, f.rep2, false))}, "owner_id": {idString(f.rep.ID)}}
		}
		return url.Values{"action": {"status"}, "ids": {idString(f.newLead(t, f.rep, false))}, "status": {"qualified"}}
	case "POST /leads/import/:id":
		return url.Values{"action": {c.variant}, "map": {models.ColName, models.ColEmail}, "campaign_id": {idString(f.campaign.ID)}}
	case "POST /leads/:id":
		l, err := models.LoadLead(f.app.DB, ids["opp"])
		if err != nil {
			t.Fatal(err)
		}
		return url.Values{"person_name": {l.PersonName + " Edited"}, "company_name": {l.CompanyName}, "email": {l.Email},
			"campaign_id": {optIDString(l.CampaignID)}, "owner_id": {idString(l.OwnerID)}, "need": {"on"}}
	case "POST /leads/:id/status":
		return url.Values{"status": {"qualified"}}
	}
	return url.Values{}
}

func optIDString(id *uint) string {
	if id == nil {
		return ""
	}
	return idString(*id)
}

// fork is a new browser with a copy of c's cookies: the same session, but what
// one case does to its cookie (sign out, sign in) stays in that case.
func (c *client) fork(t testing.TB) *client {
	n := c.app.client(t)
	u, _ := url.Parse(c.app.URL)
	n.http.Jar.SetCookies(u, c.http.Jar.Cookies(u))
	return n
}

func setSales(t testing.TB, app *testApp, on bool) {
	t.Helper()
	if _, err := models.SetFeature(app.DB, models.FeatureSales, on, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
}

// setFeatureState activates and deactivates features through models.SetFeature,
// as the Activations page does: Marketing needs Sales, so Sales goes on first;
// switching Sales off switches Marketing off with it.
func setFeatureState(t testing.TB, app *testApp, st featureState) {
	t.Helper()
	set := func(key string, on bool) {
		t.Helper()
		if _, err := models.SetFeature(app.DB, key, on, nil, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	switch st {
	case allOn:
		set(models.FeatureSales, true)
		set(models.FeatureMarketing, true)
		set(models.FeatureQuoteManager, false)
		set(models.FeatureProcurement, true)
	case marketingOff:
		set(models.FeatureSales, true)
		set(models.FeatureMarketing, false)
		set(models.FeatureQuoteManager, false)
		set(models.FeatureProcurement, true)
	case quoteManagerOn:
		set(models.FeatureSales, true)
		set(models.FeatureMarketing, true)
		set(models.FeatureQuoteManager, true)
		set(models.FeatureProcurement, true)
	case procurementOff:
		set(models.FeatureSales, true)
		set(models.FeatureMarketing, true)
		set(models.FeatureQuoteManager, false)
		set(models.FeatureProcurement, false)
	case salesOff:
		set(models.FeatureSales, false)
	default:
		t.Fatalf("unknown feature state %q", st)
	}
	f, err := models.LoadFeatures(app.DB)
	if err != nil {
		t.Fatal(err)
	}
	if f.On(models.FeatureSales) != (st != salesOff) || f.On(models.FeatureMarketing) != (st == allOn || st == quoteManagerOn || st == procurementOff) ||
		f.On(models.FeatureQuoteManager) != (st == quoteManagerOn) || f.On(models.FeatureProcurement) != (st != salesOff && st != procurementOff) {
		t.Fatalf("features after setting %q: %v", st, f)
	}
}

func TestAuthorization(t *testing.T) {
	app := newTestApp(t)
	f := newAuthzFixture(t, app)

	// One signed-in browser per role, and the CSRF token of its session.
	base := map[string]*client{}
	tokens := map[string]string{}
	for _, role := range authzRoles {
		c := app.client(t)
		if role == roleAnon {
			tokens[role] = c.token("/login")
		} else {
			c.login(authzEmails[role])
			tokens[role] = c.token("/")
		}
		base[role] = c
	}

	for _, tc := range authzCases() {
		t.Run(tc.name(), func(t *testing.T) {
			ids := map[string]uint{}
			path := f.resolve(t, tc.path, ids)
			setFeatureState(t, app, tc.state)
			c, token := base[tc.role].fork(t), tokens[tc.role]
			if (path == "/logout" || path == "/login" || path == "/setup") && tc.method == http.MethodPost && tc.role != roleAnon {
				// Signing in or out ends the current session on the server, for
				// every copy of its cookie: use a session of its own, not the shared one.
				c = app.client(t).login(authzEmails[tc.role])
				token = c.token("/")
			}
			var r response
			switch {
			case tc.method == http.MethodGet:
				r = c.get(path)
			case tc.method == http.MethodDelete:
				req, err := http.NewRequest(http.MethodDelete, app.URL+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				r = c.do(req)
			case tc.route == "/leads/import":
				// The upload is a multipart form, the CSRF token among its fields.
				r = c.postCSVFile(path, url.Values{"csrf_token": {token}}, "authz.csv", f.importCSV())
			case tc.route == "/products/import":
				r = c.postCSVFile(path, url.Values{"csrf_token": {token}}, "authz-products.csv", f.productCSV())
			default:
				form := f.body(t, tc, ids)
				form.Set("csrf_token", token)
				r = c.post(path, form)
			}
			if r.Status != tc.want {
				if tc.bug != "" {
					t.Fatalf("BUG: %s (status %d, want %d)", tc.bug, r.Status, tc.want)
				}
				t.Fatalf("status %d, want %d (Location %q)\n%s", r.Status, tc.want, r.Location, excerpt(r.Body))
			}
			if tc.want != http.StatusSeeOther {
				return
			}
			want := f.resolve(t, tc.loc, ids)
			if tc.role == roleAnon && want == "/login" && tc.method == http.MethodGet && path != "/" {
				// A signed-out visitor comes back to the page after signing in.
				want = "/login?next=" + url.QueryEscape(path)
				if r.Location != want {
					t.Errorf("Location %q, want %q", r.Location, want)
				}
				return
			}
			if !strings.HasPrefix(r.Location, want) {
				t.Errorf("Location %q, want it to start with %q", r.Location, want)
			}
			// Some forms answer 303 also when they change nothing (bulk actions,
			// imports and deletions with a flash saying so): the page after it
			// must show that the request was carried out.
			if tc.method == http.MethodPost && tc.role != roleAnon && checksFlash(tc.route) {
				next := c.get(r.Location)
				if next.Status != http.StatusOK {
					t.Fatalf("GET %s after the POST: status %d", r.Location, next.Status)
				}
				if fl := flashOf(t, next); strings.Contains(fl, "Nothing changed") || strings.HasPrefix(fl, "Set 0 ") ||
					strings.HasPrefix(fl, "Assigned 0 ") || strings.HasPrefix(fl, "Nothing imported") || strings.HasPrefix(fl, "Not deleted") {
					t.Errorf("the POST was let through but did nothing: flash %q", fl)
				}
			}
		})
	}
	setFeatureState(t, app, allOn)

	// The sessions the table used are intact: no case signed anyone out for good.
	for _, role := range []string{roleRep, roleManager, roleAdmin} {
		if base[role].whoami() == "" {
			t.Errorf("the %s session ended during the table", role)
		}
	}
}

// checksFlash: the routes whose 303 is followed to check the flash message.
func checksFlash(route string) bool {
	for _, p := range []string{"/leads", "/campaigns", "/quotes", "/opportunities/:id/quotes", "/q/", "/products", "/admin/tax-rates", "/admin/payment-terms"} {
		if strings.HasPrefix(route, p) {
			return true
		}
	}
	return false
}

// Nothing of what a refused request asked for was done.
func TestAuthorizationRefusalsChangeNothing(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	users := countRows(t, app, &models.User{})

	for _, c := range []*client{rep, manager} {
		tok := c.token("/")
		r := c.post("/admin/users", url.Values{"csrf_token": {tok}, "name": {"Mallory"}, "email": {"mallory@example.com"}, "role": {"admin"}, "password": {"mallory-pw"}})
		wantStatus(t, "POST /admin/users", r, http.StatusForbidden)
		r = c.post("/admin/users/"+idString(rep2.ID), url.Values{"csrf_token": {tok}, "name": {"Owned"}, "role": {"admin"}})
		wantStatus(t, "POST /admin/users/:id", r, http.StatusForbidden)
		r = c.post("/admin/users/"+idString(rep2.ID)+"/password", url.Values{"csrf_token": {tok}, "password": {"taken-over"}})
		wantStatus(t, "POST /admin/users/:id/password", r, http.StatusForbidden)
		r = c.post("/admin/activations/sales", url.Values{"csrf_token": {tok}, "active": {"off"}})
		wantStatus(t, "POST /admin/activations/sales", r, http.StatusForbidden)
	}
	if n := countRows(t, app, &models.User{}); n != users {
		t.Errorf("users %d, want %d", n, users)
	}
	if u := userByEmail(t, app, "rep2@example.com"); u.Name != rep2.Name || u.Role != rep2.Role || u.PasswordHash != rep2.PasswordHash || u.SessionVersion != rep2.SessionVersion {
		t.Errorf("rep2 changed: %+v", u)
	}
	if f, _ := models.LoadFeatures(app.DB); !f.On(models.FeatureSales) {
		t.Errorf("Sales was deactivated by a non-admin")
	}
	// Signed-out visitors change nothing either.
	anon := app.client(t)
	r := anon.postWithToken("/login", "/organizations", url.Values{"name": {"Anon Org"}, "type": {"lead"}})
	wantStatus(t, "anonymous POST /organizations", r, http.StatusSeeOther)
	var n int64
	app.DB.Model(&models.Organization{}).Where("name = ?", "Anon Org").Count(&n)
	if n != 0 {
		t.Errorf("a signed-out visitor created an organization")
	}
}

// Nothing of what a refused Marketing request asked for was done.
func TestAuthorizationMarketingRefusalsChangeNothing(t *testing.T) {
	app := newTestApp(t)
	f := newAuthzFixture(t, app)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	admin := app.client(t).login("admin@example.com")
	opps, orgs := countRows(t, app, &models.Opportunity{}), countRows(t, app, &models.Organization{})
	lead := func(id uint) models.Lead {
		t.Helper()
		l, err := models.LoadLead(app.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		return *l
	}

	// A rep and another rep's lead: edit, status, convert.
	other := f.newLead(t, f.rep2, true)
	was := lead(other)
	tok := rep.token("/leads")
	p := "/leads/" + idString(other)
	wantStatus(t, "rep edits another's lead", rep.post(p, url.Values{"csrf_token": {tok}, "person_name": {"Hijacked"}, "email": {"x@example.com"}}), http.StatusForbidden)
	wantStatus(t, "rep disqualifies another's lead", rep.post(p+"/status", url.Values{"csrf_token": {tok}, "status": {"disqualified"}, "reason": {"Mine now"}}), http.StatusForbidden)
	wantStatus(t, "rep converts another's lead", rep.post(p+"/convert", url.Values{"csrf_token": {tok}}), http.StatusForbidden)
	if now := lead(other); now.PersonName != was.PersonName || now.Email != was.Email || now.Status != models.LeadQualified || now.OpportunityID != nil || now.OwnerID != f.rep2.ID {
		t.Errorf("the refused requests changed the lead: %+v", now)
	}
	if n := countRows(t, app, &models.Opportunity{}); n != opps {
		t.Errorf("opportunities %d, want %d", n, opps)
	}
	if n := countRows(t, app, &models.Organization{}); n != orgs {
		t.Errorf("organizations %d, want %d", n, orgs)
	}
	// … another's campaign, and the bulk assignment.
	cp := f.newCampaign(t, f.rep2)
	var before models.Campaign
	app.DB.First(&before, cp)
	wantStatus(t, "rep edits another's campaign", rep.post("/campaigns/"+idString(cp), url.Values{"csrf_token": {tok}, "name": {"Hijacked"},
		"type": {"email"}, "owner_id": {idString(f.rep.ID)}}), http.StatusForbidden)
	var after models.Campaign
	app.DB.First(&after, cp)
	if after.Name != before.Name || after.OwnerID != before.OwnerID || after.Type != before.Type {
		t.Errorf("the refused edit changed the campaign: %+v", after)
	}
	wantStatus(t, "rep bulk-assigns", rep.post("/leads/bulk", url.Values{"csrf_token": {tok}, "action": {"assign"}, "ids": {idString(other)},
		"owner_id": {idString(f.rep.ID)}}), http.StatusForbidden)
	if now := lead(other); now.OwnerID != f.rep2.ID {
		t.Errorf("a rep reassigned a lead to %d", now.OwnerID)
	}

	// The rep's upload, for a manager and an admin: not there, not importable.
	imp := f.newImport(t, f.rep)
	leads := countRows(t, app, &models.Lead{})
	for _, c := range []*client{manager, admin} {
		path := "/leads/import/" + idString(imp)
		wantStatus(t, "GET another's import", c.get(path), http.StatusNotFound)
		r := c.postWithToken("/leads", path, url.Values{"action": {"import"}, "map": {models.ColName, models.ColEmail}})
		wantStatus(t, "POST another's import", r, http.StatusNotFound)
	}
	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("leads %d, want %d: someone imported the rep's file", n, leads)
	}
	var n int64
	app.DB.Model(&models.LeadImport{}).Where("id = ?", imp).Count(&n)
	if n != 1 {
		t.Errorf("the rep's upload is gone")
	}

	// With Marketing off, nothing is created, not even by an admin.
	setFeatureState(t, app, marketingOff)
	camps, imports := countRows(t, app, &models.Campaign{}), countRows(t, app, &models.LeadImport{})
	tok = admin.token("/")
	wantStatus(t, "POST /campaigns with Marketing off", admin.post("/campaigns", url.Values{"csrf_token": {tok}, "name": {"Ghost campaign"},
		"type": {"email"}, "owner_id": {idString(f.admin.ID)}}), http.StatusNotFound)
	wantStatus(t, "POST /leads/import with Marketing off", admin.postCSVFile("/leads/import", url.Values{"csrf_token": {tok}}, "ghost.csv", f.importCSV()), http.StatusNotFound)
	wantStatus(t, "POST /leads/:id/convert with Marketing off", admin.post(p+"/convert", url.Values{"csrf_token": {tok}}), http.StatusNotFound)
	if c := countRows(t, app, &models.Campaign{}); c != camps {
		t.Errorf("campaigns %d, want %d", c, camps)
	}
	if c := countRows(t, app, &models.LeadImport{}); c != imports {
		t.Errorf("imports %d, want %d", c, imports)
	}
	if now := lead(other); now.OpportunityID != nil {
		t.Errorf("converted with Marketing off")
	}
	setFeatureState(t, app, allOn)

	// Signed-out visitors create nothing either.
	anon := app.client(t)
	r := anon.postWithToken("/login", "/leads", url.Values{"person_name": {"Anon Lead"}, "email": {"anon@example.com"}})
	wantStatus(t, "anonymous POST /leads", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Errorf("Location %q, want /login", r.Location)
	}
	app.DB.Model(&models.Lead{}).Where("person_name = ?", "Anon Lead").Count(&n)
	if n != 0 {
		t.Errorf("a signed-out visitor created a lead")
	}
}

// The navigation offers only what the role may open.
func TestAuthorizationNavigation(t *testing.T) {
	app := newTestApp(t)
	for _, tc := range []struct {
		role      string
		wantAdmin bool
	}{{roleRep, false}, {roleManager, false}, {roleAdmin, true}} {
		t.Run(tc.role, func(t *testing.T) {
			doc := app.client(t).login(authzEmails[tc.role]).get("/").doc(t)
			got := doc.Find(`#nav a[href^="/admin"]`).Length() > 0
			if got != tc.wantAdmin {
				t.Errorf("admin links shown: %v, want %v", got, tc.wantAdmin)
			}
		})
	}
}

// TestAuthzTableCoversEveryRoute compares the table with the routes the app
// registers, so a new route cannot ship without its authorization rows.
func TestAuthzTableCoversEveryRoute(t *testing.T) {
	app := newTestApp(t)
	e, err := handlers.New(handlers.Config{DB: app.DB, SessionKey: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, r := range authzRoutes {
		inTable[r.method+" "+r.route] = true
	}
	registered := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if !inTable[key] {
			t.Errorf("route %s has no row in the authorization table", key)
		}
	}
	for key := range inTable {
		if !registered[key] {
			t.Errorf("the table lists %s, which routes.go does not register", key)
		}
	}
	// The campaign and lead routes are the Marketing feature's; the quote
	// routes are the built-in quotes, which the Quote Manager replaces; the
	// customer's link is the one public page of a feature.
	for _, r := range authzRoutes {
		mkt := strings.HasPrefix(r.route, "/campaigns") || strings.HasPrefix(r.route, "/leads")
		if mkt != r.marketingOnly {
			t.Errorf("%s %s: marketingOnly = %v, want %v", r.method, r.path, r.marketingOnly, mkt)
		}
		q := (strings.HasPrefix(r.route, "/quotes") || strings.HasPrefix(r.route, "/q/") || strings.HasPrefix(r.route, "/opportunities/:id/quotes")) &&
			!(r.method == "GET" && r.route == "/quotes") // the list shows the Quote Manager's quotes instead
		qm := strings.HasPrefix(r.route, "/external-quotes") || strings.HasPrefix(r.route, "/admin/quote-manager") || strings.HasPrefix(r.route, "/api/integrations/quote-manager")
		if qm != r.quoteManagerOnly || (qm && !r.salesOnly) {
			t.Errorf("%s %s: quoteManagerOnly = %v, salesOnly = %v; want %v, true", r.method, r.path, r.quoteManagerOnly, r.salesOnly, qm)
		}
		if q != r.builtinQuotes || (q && !r.salesOnly) {
			t.Errorf("%s %s: builtinQuotes = %v, salesOnly = %v; want %v, true", r.method, r.path, r.builtinQuotes, r.salesOnly, q)
		}
		if so := strings.HasPrefix(r.route, "/sales-orders") || strings.HasPrefix(r.route, "/purchase-orders"); so != r.procurementOnly || (so && !r.salesOnly) {
			t.Errorf("%s %s: procurementOnly = %v, salesOnly = %v; want %v, true", r.method, r.path, r.procurementOnly, r.salesOnly, so)
		}
		if pub := strings.HasPrefix(r.route, "/q/") || strings.HasPrefix(r.route, "/api/"); pub != r.public {
			t.Errorf("%s %s: public = %v, want %v", r.method, r.path, r.public, pub)
		}
		if strings.HasPrefix(r.route, "/products") || strings.HasPrefix(r.route, "/admin/tax-rates") || strings.HasPrefix(r.route, "/admin/payment-terms") {
			if !r.salesOnly {
				t.Errorf("%s %s: the catalog belongs to Sales", r.method, r.path)
			}
		}
	}
	// Every route is checked for every role, with Sales on and off; every
	// Marketing route also with Marketing off on its own.
	per := map[string]int{}
	for _, c := range authzCases() {
		per[c.method+" "+c.route]++
	}
	for key, n := range per {
		if n < len(authzRoles)*2 {
			t.Errorf("%s has %d cases, want at least %d", key, n, len(authzRoles)*2)
		}
	}
	// Every quote route is checked with the Quote Manager on.
	withQM := map[string]bool{}
	for _, c := range authzCases() {
		if c.state == quoteManagerOn {
			withQM[c.method+" "+c.route] = true
		}
	}
	for _, r := range authzRoutes {
		if r.builtinQuotes && !withQM[r.method+" "+r.route] {
			t.Errorf("%s %s has no case with the Quote Manager on", r.method, r.route)
		}
	}
}
