package views

import "github.com/a-h/templ"

// navSection is one headed list of the main navigation; a section or link
// with a feature shows only while that feature is on (Page.On), so an
// inactive feature leaves no trace in the navigation either.
type navSection struct {
	heading string // none for the first list
	feature string
	admin   bool   // admins only
	group   string // a label heading the list, not a link
	links   []navLink
}

type navLink struct {
	href, label string
	feature     string
	manages     bool // managers and admins only
}

// navSections is the main navigation, the same on every page.
var navSections = []navSection{
	{links: []navLink{{href: "/", label: "Home"}}},
	{heading: "CRM", links: []navLink{{href: "/organizations", label: "Organizations"}}},
	{heading: "Sales", feature: "sales", links: []navLink{
		{href: "/opportunities", label: "Opportunities"},
		// With the Quote Manager integration the same entry lists its quotes.
		{href: "/quotes", label: "Quotes"},
		{href: "/products", label: "Products"},
		{href: "/reports/funnel", label: "Reports", manages: true},
	}},
	{heading: "Inventory", feature: "procurement", links: []navLink{
		{href: "/sales-orders", label: "Sales orders"},
		{href: "/purchase-orders", label: "Purchase orders"},
	}},
	{heading: "Marketing", feature: "marketing", links: []navLink{
		{href: "/campaigns", label: "Campaigns"},
		{href: "/leads", label: "Leads"},
	}},
	{heading: "Admin", admin: true, group: "Admin Categories", links: []navLink{
		{href: "/admin/activations", label: "Activations"},
		{href: "/admin/settings", label: "Features & Settings", feature: "sales"},
		{href: "/admin/users", label: "Users"},
	}},
}

// shows tells whether a section or link gated by feature, admin and manages
// is on the page of p's user.
func (p Page) shows(feature string, admin, manages bool) bool {
	return (feature == "" || p.On(feature)) && (!admin || p.User.IsAdmin) && (!manages || p.User.Manages)
}

// nav is the main navigation of a signed-in user: written in Go, as the rows
// of rows.go are, because it is on every page.
func nav(p Page) templ.Component {
	return component(func(h *htmlWriter) {
		h.raw(`<nav id="nav" class="nav" aria-label="Main">`)
		for i := range navSections {
			s := &navSections[i]
			if !p.shows(s.feature, s.admin, false) {
				continue
			}
			if s.heading != "" {
				h.raw(`<h2>`)
				h.text(s.heading)
				h.raw(`</h2>`)
			}
			h.raw(`<ul>`)
			if s.group != "" {
				h.raw(`<li class="nav-group">`)
				h.text(s.group)
				h.raw(`</li>`)
			}
			for j := range s.links {
				l := &s.links[j]
				if !p.shows(l.feature, false, l.manages) {
					continue
				}
				h.raw(`<li><a href="`)
				h.text(l.href)
				if isCurrent(p.Path, l.href) {
					h.raw(`" aria-current="page">`)
				} else {
					h.raw(`">`)
				}
				h.text(l.label)
				h.raw(`</a></li>`)
			}
			h.raw(`</ul>`)
		}
		h.raw(`<div class="whoami"><p><strong>`)
		h.text(p.User.Name)
		h.raw(`</strong> <span class="role">`)
		h.text(p.User.RoleLabel)
		h.raw(`</span></p><form method="post" action="/logout">`)
		h.raw(`<input type="hidden" name="csrf_token" value="`)
		h.text(p.CSRF)
		h.raw(`"><button type="submit" class="link">Sign out</button></form></div></nav>`)
	})
}
