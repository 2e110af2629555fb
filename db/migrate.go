package db

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"gorm.io/gorm"
)

// A migration is a numbered, append-only change to the schema. Never edit one that
// has shipped: add the next number. The SQL is portable between SQLite and
// PostgreSQL except for the few words that ddl() rewrites.
type migration struct {
	Version    int
	Name       string
	Statements []string
}

// onlyOn marks a statement to run on one dialect ("sqlite" or "postgres"), for
// the rare change whose SQL cannot be written once for both (triggers).
func onlyOn(dialect string, stmts ...string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = "-- only " + dialect + "\n" + s
	}
	return out
}

// forDialect is stmt without its onlyOn mark, and whether it runs on dialect.
func forDialect(dialect, stmt string) (string, bool) {
	rest, marked := strings.CutPrefix(stmt, "-- only ")
	if !marked {
		return stmt, true
	}
	only, body, _ := strings.Cut(rest, "\n")
	return body, only == dialect
}

// ddl rewrites the placeholders {{id}} and {{time}} for the dialect.
func ddl(dialect, stmt string) string {
	for _, d := range []string{"sqlite", "postgres"} {
		if rest, ok := strings.CutPrefix(stmt, d+":"); ok {
			if d != dialect {
				return ""
			}
			stmt = rest
		}
	}
	id, ts := "INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME"
	if dialect == "postgres" {
		id, ts = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
	}
	return strings.NewReplacer("{{id}}", id, "{{time}}", ts).Replace(stmt)
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

// Migrate applies every migration not yet applied, each in its own transaction.
// Several app instances may start at once: on PostgreSQL they take turns on an
// advisory lock, on SQLite on the write lock of each migration's transaction,
// and each migration checks inside its transaction that no one applied it first.
func Migrate(gdb *gorm.DB) error {
	return withSetupLock(gdb, migrate)
}

func migrate(gdb *gorm.DB) error {
	if err := gdb.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ` + ddl(gdb.Dialector.Name(), "{{time}}") + ` NOT NULL)`).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var done []int
	if err := gdb.Table("schema_migrations").Pluck("version", &done).Error; err != nil {
		return err
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		err := gdb.Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Table("schema_migrations").Where("version = ?", m.Version).Count(&n).Error; err != nil || n > 0 {
				return err // another instance applied it meanwhile
			}
			for _, s := range m.Statements {
				s, ok := forDialect(tx.Dialector.Name(), s)
				if !ok {
					continue
				}
				if err := tx.Exec(ddl(tx.Dialector.Name(), s)).Error; err != nil {
					return fmt.Errorf("%s: %w", firstLine(s), err)
				}
			}
			return tx.Table("schema_migrations").Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// setupLock is the PostgreSQL advisory lock key that app instances starting at
// the same time take turns on while they migrate and seed ("sdsetup" in ASCII).
const setupLock = 0x7364736574757000

// setupWait is how long an instance starting on SQLite tries its setup again
// while another process holds the file's write lock past busy_timeout: an
// instance seeding a new database on a loaded machine (seen at load 15).
const setupWait = 2 * time.Minute

// withSetupLock runs fn holding the setup lock on PostgreSQL, on one
// connection (an advisory lock belongs to the session that took it). SQLite
// needs none: its write transactions already run one at a time; fn is run
// again while the file stays locked by another process, for up to setupWait
// (each step of fn checks whether another instance did it meanwhile).
func withSetupLock(gdb *gorm.DB, fn func(*gorm.DB) error) error {
	if gdb.Dialector.Name() != "postgres" {
		deadline := time.Now().Add(setupWait)
		for {
			err := fn(gdb)
			var se sqlite3.Error
			if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked || time.Now().After(deadline) {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return gdb.Connection(func(conn *gorm.DB) error {
		conn = conn.Session(&gorm.Session{NewDB: true}) // chainable, still on this connection
		if err := conn.Exec("SELECT pg_advisory_lock(?)", setupLock).Error; err != nil {
			return fmt.Errorf("take the setup lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", setupLock)
		return fn(conn)
	})
}

// SchemaVersion is the highest applied migration.
func SchemaVersion(gdb *gorm.DB) (int, error) {
	var v int
	err := gdb.Table("schema_migrations").Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

var migrations = []migration{
	{1, "foundation: users, features, organizations, contacts, opportunities", []string{
		`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE users (
			id {{id}},
			email TEXT NOT NULL UNIQUE,
			name TEXT NOT NULL,
			role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
			password_hash TEXT NOT NULL,
			demo_password BOOLEAN NOT NULL DEFAULT FALSE,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			session_version INTEGER NOT NULL DEFAULT 1,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE TABLE login_failures (
			id {{id}},
			email TEXT NOT NULL,
			ip TEXT NOT NULL,
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX login_failures_email ON login_failures (email, created_at)`,
		`CREATE TABLE features (
			key TEXT PRIMARY KEY,
			active BOOLEAN NOT NULL DEFAULT FALSE,
			changed_by_id BIGINT REFERENCES users (id),
			changed_at {{time}})`,
		`INSERT INTO features (key, active) VALUES ('sales', FALSE), ('marketing', FALSE), ('procurement', FALSE), ('quote_manager', FALSE)`,
		`CREATE TABLE feature_changes (
			id {{id}},
			feature_key TEXT NOT NULL REFERENCES features (key),
			active BOOLEAN NOT NULL,
			user_id BIGINT REFERENCES users (id),
			created_at {{time}} NOT NULL)`,
		`CREATE TABLE organizations (
			id {{id}},
			name TEXT NOT NULL,
			type TEXT NOT NULL,
			address TEXT NOT NULL DEFAULT '',
			city TEXT NOT NULL DEFAULT '',
			postal_code TEXT NOT NULL DEFAULT '',
			country TEXT NOT NULL DEFAULT '',
			phone TEXT NOT NULL DEFAULT '',
			website TEXT NOT NULL DEFAULT '',
			owner_id BIGINT REFERENCES users (id),
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX organizations_name ON organizations (name, id)`,
		`CREATE TABLE contacts (
			id {{id}},
			organization_id BIGINT NOT NULL REFERENCES organizations (id),
			first_name TEXT NOT NULL DEFAULT '',
			last_name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			phone TEXT NOT NULL DEFAULT '',
			title TEXT NOT NULL DEFAULT '',
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX contacts_organization ON contacts (organization_id)`,
		`CREATE TABLE opportunity_stages (
			id {{id}},
			name TEXT NOT NULL,
			position INTEGER NOT NULL,
			default_probability INTEGER NOT NULL CHECK (default_probability BETWEEN 0 AND 100),
			is_won BOOLEAN NOT NULL DEFAULT FALSE,
			is_lost BOOLEAN NOT NULL DEFAULT FALSE,
			active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`INSERT INTO opportunity_stages (name, position, default_probability, is_won, is_lost, active) VALUES
			('Qualification', 1, 10, FALSE, FALSE, TRUE),
			('Needs analysis', 2, 25, FALSE, FALSE, TRUE),
			('Proposal', 3, 50, FALSE, FALSE, TRUE),
			('Negotiation', 4, 75, FALSE, FALSE, TRUE),
			('Closed won', 5, 100, TRUE, FALSE, TRUE),
			('Closed lost', 6, 0, FALSE, TRUE, TRUE)`,
		`CREATE TABLE opportunities (
			id {{id}},
			title TEXT NOT NULL,
			organization_id BIGINT NOT NULL REFERENCES organizations (id),
			contact_id BIGINT REFERENCES contacts (id),
			owner_id BIGINT NOT NULL REFERENCES users (id),
			stage_id BIGINT NOT NULL REFERENCES opportunity_stages (id),
			status TEXT NOT NULL,
			probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
			rating TEXT NOT NULL DEFAULT '',
			projected_close_date {{time}} NOT NULL,
			onetime_revenue BIGINT NOT NULL DEFAULT 0,
			monthly_revenue BIGINT NOT NULL DEFAULT 0,
			onetime_cost BIGINT NOT NULL DEFAULT 0,
			monthly_cost BIGINT NOT NULL DEFAULT 0,
			amount BIGINT NOT NULL DEFAULT 0,
			description TEXT NOT NULL DEFAULT '',
			need BOOLEAN NOT NULL DEFAULT FALSE,
			solution BOOLEAN NOT NULL DEFAULT FALSE,
			timeframe BOOLEAN NOT NULL DEFAULT FALSE,
			budget BOOLEAN NOT NULL DEFAULT FALSE,
			version INTEGER NOT NULL DEFAULT 1,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX opportunities_close ON opportunities (projected_close_date, id)`,
		`CREATE INDEX opportunities_owner ON opportunities (owner_id, status, projected_close_date)`,
		`CREATE INDEX opportunities_organization ON opportunities (organization_id)`,
		`CREATE INDEX opportunities_status ON opportunities (status, projected_close_date)`,
		`CREATE INDEX opportunities_amount ON opportunities (amount, id)`,
	}},
	{2, "opportunities in depth: periods, picklists, history, notes, to-dos, won and lost", []string{
		`ALTER TABLE opportunities RENAME COLUMN onetime_revenue TO revenue_one_time`,
		`ALTER TABLE opportunities RENAME COLUMN monthly_revenue TO revenue_monthly`,
		`ALTER TABLE opportunities RENAME COLUMN onetime_cost TO cost_one_time`,
		`ALTER TABLE opportunities RENAME COLUMN monthly_cost TO cost_monthly`,
		`ALTER TABLE opportunities ADD COLUMN revenue_quarterly BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE opportunities ADD COLUMN revenue_semi_annual BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE opportunities ADD COLUMN revenue_yearly BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE opportunities ADD COLUMN cost_quarterly BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE opportunities ADD COLUMN cost_semi_annual BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE opportunities ADD COLUMN cost_yearly BIGINT NOT NULL DEFAULT 0`,
		`CREATE TABLE picklist_values (
			id {{id}},
			kind TEXT NOT NULL,
			name TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			colour TEXT NOT NULL DEFAULT '',
			position INTEGER NOT NULL DEFAULT 0,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			UNIQUE (kind, name))`,
		`INSERT INTO picklist_values (kind, name, description, colour, position) VALUES
			('lead_source', 'Trade show', '', '', 1),
			('lead_source', 'Website', '', '', 2),
			('lead_source', 'Referral', '', '', 3),
			('lead_source', 'Existing customer', '', '', 4),
			('lead_source', 'Cold call', '', '', 5),
			('lead_source', 'Partner', '', '', 6),
			('competitor', 'Local MSP', 'A smaller managed service provider in the same area', '', 1),
			('competitor', 'National MSP', 'A large managed service provider', '', 2),
			('competitor', 'In-house IT', 'The customer does it themselves', '', 3),
			('competitor', 'Vendor direct', 'The manufacturer sells directly', '', 4),
			('win_reason', 'Price', 'Our offer was the best value', '', 1),
			('win_reason', 'Relationship', 'Trust built with the customer', '', 2),
			('win_reason', 'Technical fit', 'Our solution fit their requirements best', '', 3),
			('win_reason', 'Response time', 'Our service levels won it', '', 4),
			('loss_reason', 'Lost funding', 'The customer''s budget was cut or withdrawn', '', 1),
			('loss_reason', 'Competitor''s better quote', 'A competitor offered a lower price', '', 2),
			('loss_reason', 'No decision', 'The customer decided to do nothing', '', 3),
			('loss_reason', 'Timing', 'The project was postponed indefinitely', '', 4),
			('loss_reason', 'Missing capability', 'We could not meet a requirement', '', 5),
			('category', 'Managed services', '', '#2563eb', 1),
			('category', 'Project', '', '#7c3aed', 2),
			('category', 'Hardware', '', '#d97706', 3),
			('category', 'Software licences', '', '#059669', 4),
			('category', 'Consulting', '', '#db2777', 5)`,
		`ALTER TABLE opportunities ADD COLUMN start_date {{time}}`,
		`ALTER TABLE opportunities ADD COLUMN probability_override BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE opportunities ADD COLUMN lead_source_id BIGINT REFERENCES picklist_values (id)`,
		`ALTER TABLE opportunities ADD COLUMN competitor_id BIGINT REFERENCES picklist_values (id)`,
		`ALTER TABLE opportunities ADD COLUMN category_id BIGINT REFERENCES picklist_values (id)`,
		`ALTER TABLE opportunities ADD COLUMN next_step TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE opportunities ADD COLUMN win_reason_id BIGINT REFERENCES picklist_values (id)`,
		`ALTER TABLE opportunities ADD COLUMN win_detail TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE opportunities ADD COLUMN closed_date {{time}}`,
		`ALTER TABLE opportunities ADD COLUMN loss_reason_id BIGINT REFERENCES picklist_values (id)`,
		`ALTER TABLE opportunities ADD COLUMN loss_detail TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE opportunities ADD COLUMN lost_date {{time}}`,
		`ALTER TABLE opportunities ADD COLUMN stage_changed_at {{time}}`,
		`UPDATE opportunities SET stage_changed_at = created_at`,
		`CREATE INDEX opportunities_stage ON opportunities (stage_id, status)`,
		`CREATE INDEX opportunities_category ON opportunities (category_id)`,
		`CREATE TABLE opportunity_history (
			id {{id}},
			opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
			version INTEGER NOT NULL,
			user_id BIGINT REFERENCES users (id),
			field TEXT NOT NULL,
			old_value TEXT NOT NULL DEFAULT '',
			new_value TEXT NOT NULL DEFAULT '',
			old_ref BIGINT,
			new_ref BIGINT,
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX opportunity_history_opp ON opportunity_history (opportunity_id, created_at)`,
		`CREATE TABLE notes (
			id {{id}},
			opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
			user_id BIGINT NOT NULL REFERENCES users (id),
			kind TEXT NOT NULL,
			body TEXT NOT NULL,
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX notes_opp ON notes (opportunity_id, created_at)`,
		`CREATE TABLE todos (
			id {{id}},
			opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
			title TEXT NOT NULL,
			due_date {{time}},
			assignee_id BIGINT NOT NULL REFERENCES users (id),
			created_by_id BIGINT NOT NULL REFERENCES users (id),
			done BOOLEAN NOT NULL DEFAULT FALSE,
			done_at {{time}},
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX todos_opp ON todos (opportunity_id, done)`,
		`CREATE INDEX todos_assignee ON todos (assignee_id, done, due_date)`,
	}},
	{3, "opportunities: is_open for fast open-pipeline lists", []string{
		`ALTER TABLE opportunities ADD COLUMN is_open BOOLEAN NOT NULL DEFAULT TRUE`,
		`UPDATE opportunities SET is_open = (status IN ('active', 'not_ready'))`,
		`CREATE INDEX opportunities_open_close ON opportunities (is_open, projected_close_date, id, amount, probability)`,
		`CREATE INDEX opportunities_owner_open ON opportunities (owner_id, is_open, projected_close_date, id, amount, probability)`,
		`CREATE INDEX opportunities_stage_open ON opportunities (stage_id, is_open, projected_close_date, id, amount, probability)`,
		`DROP INDEX opportunities_owner`,
		`DROP INDEX opportunities_stage`,
	}},
	{4, "server-side sessions, so signing out ends a session everywhere", []string{
		`CREATE TABLE sessions (
			id TEXT PRIMARY KEY,
			user_id BIGINT NOT NULL REFERENCES users (id),
			created_at {{time}} NOT NULL,
			last_seen_at {{time}} NOT NULL)`,
		`CREATE INDEX sessions_user ON sessions (user_id)`,
	}},
	{5, "marketing: campaigns, leads, lead history, lead imports", []string{
		`CREATE TABLE campaigns (
			id {{id}},
			name TEXT NOT NULL,
			type TEXT NOT NULL,
			start_date {{time}},
			end_date {{time}},
			cost BIGINT NOT NULL DEFAULT 0,
			owner_id BIGINT NOT NULL REFERENCES users (id),
			description TEXT NOT NULL DEFAULT '',
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX campaigns_start ON campaigns (start_date, id)`,
		`CREATE TABLE leads (
			id {{id}},
			campaign_id BIGINT REFERENCES campaigns (id),
			person_name TEXT NOT NULL,
			company_name TEXT NOT NULL DEFAULT '',
			email TEXT NOT NULL DEFAULT '',
			phone TEXT NOT NULL DEFAULT '',
			owner_id BIGINT NOT NULL REFERENCES users (id),
			status TEXT NOT NULL,
			disqualify_reason TEXT NOT NULL DEFAULT '',
			need BOOLEAN NOT NULL DEFAULT FALSE,
			need_note TEXT NOT NULL DEFAULT '',
			solution BOOLEAN NOT NULL DEFAULT FALSE,
			solution_note TEXT NOT NULL DEFAULT '',
			timeframe BOOLEAN NOT NULL DEFAULT FALSE,
			timeframe_note TEXT NOT NULL DEFAULT '',
			budget BOOLEAN NOT NULL DEFAULT FALSE,
			budget_note TEXT NOT NULL DEFAULT '',
			opportunity_id BIGINT REFERENCES opportunities (id),
			converted_at {{time}},
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX leads_campaign ON leads (campaign_id, status)`,
		`CREATE INDEX leads_owner ON leads (owner_id, status)`,
		`CREATE INDEX leads_status ON leads (status, id)`,
		`CREATE INDEX leads_email ON leads (email)`,
		`CREATE INDEX leads_opportunity ON leads (opportunity_id)`,
		`CREATE INDEX contacts_email ON contacts (email)`,
		`CREATE TABLE lead_events (
			id {{id}},
			lead_id BIGINT NOT NULL REFERENCES leads (id),
			user_id BIGINT REFERENCES users (id),
			field TEXT NOT NULL,
			old_value TEXT NOT NULL DEFAULT '',
			new_value TEXT NOT NULL DEFAULT '',
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX lead_events_lead ON lead_events (lead_id, created_at)`,
		`CREATE TABLE lead_imports (
			id {{id}},
			user_id BIGINT NOT NULL REFERENCES users (id),
			filename TEXT NOT NULL,
			content TEXT NOT NULL,
			created_at {{time}} NOT NULL)`,
		`ALTER TABLE opportunities ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id)`,
		`CREATE INDEX opportunities_campaign ON opportunities (campaign_id, status)`,
		`INSERT INTO picklist_values (kind, name, description, colour, position) VALUES
			('lead_source', 'Webinar', '', '', 7),
			('lead_source', 'E-mail campaign', '', '', 8),
			('lead_source', 'Other', '', '', 9)`,
	}},
	{6, "quotes: catalog, tax rates, payment terms, quotes and items, outbox, notifications", []string{
		`CREATE TABLE products (
			id {{id}},
			name TEXT NOT NULL,
			sku TEXT NOT NULL UNIQUE,
			type TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			unit_price BIGINT NOT NULL DEFAULT 0,
			unit_cost BIGINT NOT NULL DEFAULT 0,
			period TEXT NOT NULL DEFAULT 'one_time',
			taxable BOOLEAN NOT NULL DEFAULT TRUE,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			vendor_id BIGINT REFERENCES organizations (id),
			no_procurement BOOLEAN NOT NULL DEFAULT FALSE,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX products_name ON products (name)`,
		`CREATE TABLE tax_rates (
			id {{id}},
			name TEXT NOT NULL UNIQUE,
			rate INTEGER NOT NULL CHECK (rate BETWEEN 0 AND 100000),
			position INTEGER NOT NULL DEFAULT 0,
			active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`INSERT INTO tax_rates (name, rate, position) VALUES ('No tax', 0, 1), ('Sales tax 8.875%', 8875, 2), ('VAT 20%', 20000, 3), ('GST 10%', 10000, 4)`,
		`CREATE TABLE payment_terms (
			id {{id}},
			name TEXT NOT NULL UNIQUE,
			days INTEGER NOT NULL DEFAULT 30,
			position INTEGER NOT NULL DEFAULT 0,
			active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`INSERT INTO payment_terms (name, days, position) VALUES ('Due on receipt', 0, 1), ('Net 15', 15, 2), ('Net 30', 30, 3), ('Net 60', 60, 4)`,
		`CREATE TABLE quotes (
			id {{id}},
			number INTEGER NOT NULL UNIQUE,
			opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
			name TEXT NOT NULL,
			effective_date {{time}} NOT NULL,
			expiration_date {{time}} NOT NULL,
			bill_to TEXT NOT NULL DEFAULT '',
			ship_to TEXT NOT NULL DEFAULT '',
			payment_term_id BIGINT REFERENCES payment_terms (id),
			tax_rate_id BIGINT REFERENCES tax_rates (id),
			term_months INTEGER NOT NULL DEFAULT 12,
			comments TEXT NOT NULL DEFAULT '',
			is_primary BOOLEAN NOT NULL DEFAULT FALSE,
			status TEXT NOT NULL,
			token TEXT UNIQUE,
			sent_at {{time}},
			sent_to TEXT NOT NULL DEFAULT '',
			response_name TEXT NOT NULL DEFAULT '',
			response_comment TEXT NOT NULL DEFAULT '',
			response_ip TEXT NOT NULL DEFAULT '',
			responded_at {{time}},
			owner_id BIGINT NOT NULL REFERENCES users (id),
			version INTEGER NOT NULL DEFAULT 1,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX quotes_opportunity ON quotes (opportunity_id, is_primary)`,
		`CREATE INDEX quotes_status ON quotes (status, expiration_date)`,
		`CREATE TABLE quote_items (
			id {{id}},
			quote_id BIGINT NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
			position INTEGER NOT NULL,
			kind TEXT NOT NULL,
			product_id BIGINT REFERENCES products (id),
			name TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			quantity BIGINT NOT NULL DEFAULT 10000,
			unit_price BIGINT NOT NULL DEFAULT 0,
			unit_cost BIGINT NOT NULL DEFAULT 0,
			discount_type TEXT NOT NULL DEFAULT '',
			discount_value BIGINT NOT NULL DEFAULT 0,
			period TEXT NOT NULL DEFAULT 'one_time',
			optional BOOLEAN NOT NULL DEFAULT FALSE,
			taxable BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE INDEX quote_items_quote ON quote_items (quote_id, position)`,
		`CREATE TABLE outbox (
			id {{id}},
			to_address TEXT NOT NULL,
			subject TEXT NOT NULL,
			body TEXT NOT NULL,
			sent_at {{time}},
			error TEXT NOT NULL DEFAULT '',
			created_at {{time}} NOT NULL)`,
		`CREATE TABLE notifications (
			id {{id}},
			user_id BIGINT NOT NULL REFERENCES users (id),
			message TEXT NOT NULL,
			link TEXT NOT NULL DEFAULT '',
			read_at {{time}},
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX notifications_user ON notifications (user_id, read_at)`,
		`ALTER TABLE opportunities ADD COLUMN use_quote_totals BOOLEAN NOT NULL DEFAULT FALSE`,
		`INSERT INTO settings (key, value) VALUES ('next_quote_number', '1001')`,
		`ALTER TABLE organizations ADD COLUMN name_key TEXT NOT NULL DEFAULT ''`,
		`UPDATE organizations SET name_key = LOWER(name)`,
		`CREATE INDEX organizations_name_key ON organizations (name_key)`,
	}},
	{7, "procurement: sales orders, their lines and their history", []string{
		`CREATE TABLE sales_orders (
			id {{id}},
			number INTEGER NOT NULL UNIQUE,
			title TEXT NOT NULL,
			organization_id BIGINT NOT NULL REFERENCES organizations (id),
			contact_id BIGINT REFERENCES contacts (id),
			opportunity_id BIGINT NOT NULL UNIQUE REFERENCES opportunities (id),
			quote_id BIGINT NOT NULL REFERENCES quotes (id),
			owner_id BIGINT NOT NULL REFERENCES users (id),
			order_date {{time}} NOT NULL,
			promised_date {{time}},
			status TEXT NOT NULL DEFAULT 'new',
			cancel_reason TEXT NOT NULL DEFAULT '',
			bill_to TEXT NOT NULL DEFAULT '',
			ship_to TEXT NOT NULL DEFAULT '',
			notes TEXT NOT NULL DEFAULT '',
			version INTEGER NOT NULL DEFAULT 1,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX sales_orders_status ON sales_orders (status, number)`,
		`CREATE INDEX sales_orders_owner ON sales_orders (owner_id, status, number)`,
		`CREATE INDEX sales_orders_quote ON sales_orders (quote_id)`,
		`CREATE INDEX sales_orders_promised ON sales_orders (promised_date)`,
		`CREATE TABLE sales_order_lines (
			id {{id}},
			sales_order_id BIGINT NOT NULL REFERENCES sales_orders (id) ON DELETE CASCADE,
			position INTEGER NOT NULL,
			product_id BIGINT REFERENCES products (id),
			name TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			quantity_ordered BIGINT NOT NULL,
			quantity_fulfilled BIGINT NOT NULL DEFAULT 0,
			unit_price BIGINT NOT NULL DEFAULT 0,
			CHECK (quantity_fulfilled >= 0 AND quantity_fulfilled <= quantity_ordered))`,
		`CREATE INDEX sales_order_lines_order ON sales_order_lines (sales_order_id, position)`,
		`CREATE TABLE sales_order_events (
			id {{id}},
			sales_order_id BIGINT NOT NULL REFERENCES sales_orders (id) ON DELETE CASCADE,
			user_id BIGINT REFERENCES users (id),
			what TEXT NOT NULL,
			note TEXT NOT NULL DEFAULT '',
			happened_on {{time}},
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX sales_order_events_order ON sales_order_events (sales_order_id, created_at)`,
		`INSERT INTO settings (key, value) VALUES ('next_sales_order_number', '5001')`,
	}},
	{8, "reports: won deals by close date", []string{
		`CREATE INDEX opportunities_closed_date ON opportunities (closed_date, status)`,
	}},
	{9, "procurement: purchase orders per vendor, their lines and their history", []string{
		`CREATE TABLE purchase_orders (
			id {{id}},
			number INTEGER NOT NULL UNIQUE,
			sales_order_id BIGINT NOT NULL REFERENCES sales_orders (id),
			vendor_id BIGINT NOT NULL REFERENCES organizations (id),
			status TEXT NOT NULL DEFAULT 'draft',
			expected_date {{time}},
			notes TEXT NOT NULL DEFAULT '',
			cancel_reason TEXT NOT NULL DEFAULT '',
			version INTEGER NOT NULL DEFAULT 1,
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX purchase_orders_sales_order ON purchase_orders (sales_order_id)`,
		`CREATE INDEX purchase_orders_status ON purchase_orders (status, number)`,
		`CREATE INDEX purchase_orders_vendor ON purchase_orders (vendor_id, number)`,
		`CREATE INDEX purchase_orders_expected ON purchase_orders (expected_date)`,
		`CREATE TABLE purchase_order_lines (
			id {{id}},
			purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
			sales_order_line_id BIGINT NOT NULL REFERENCES sales_order_lines (id),
			product_id BIGINT REFERENCES products (id),
			position INTEGER NOT NULL,
			name TEXT NOT NULL,
			quantity BIGINT NOT NULL,
			quantity_received BIGINT NOT NULL DEFAULT 0,
			unit_cost BIGINT NOT NULL DEFAULT 0,
			CHECK (quantity > 0 AND quantity_received >= 0 AND quantity_received <= quantity))`,
		`CREATE INDEX purchase_order_lines_order ON purchase_order_lines (purchase_order_id, position)`,
		`CREATE INDEX purchase_order_lines_so_line ON purchase_order_lines (sales_order_line_id)`,
		`CREATE TABLE purchase_order_events (
			id {{id}},
			purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
			user_id BIGINT REFERENCES users (id),
			what TEXT NOT NULL,
			note TEXT NOT NULL DEFAULT '',
			happened_on {{time}},
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX purchase_order_events_order ON purchase_order_events (purchase_order_id, created_at)`,
		`INSERT INTO settings (key, value) VALUES ('next_purchase_order_number', '7001')`,
	}},
	{10, "quote manager integration: settings and key, external quotes, integration log", []string{
		`CREATE TABLE quote_manager_settings (
			id INTEGER PRIMARY KEY,
			display_name TEXT NOT NULL DEFAULT 'Quote Manager',
			base_url TEXT NOT NULL DEFAULT '',
			auto_mark_won BOOLEAN NOT NULL DEFAULT FALSE,
			win_reason_id BIGINT REFERENCES picklist_values (id),
			key_hash TEXT NOT NULL DEFAULT '',
			key_hint TEXT NOT NULL DEFAULT '',
			key_created_at {{time}},
			updated_at {{time}})`,
		`INSERT INTO quote_manager_settings (id, display_name) VALUES (1, 'Quote Manager')`,
		`CREATE TABLE external_quotes (
			id {{id}},
			external_id TEXT NOT NULL UNIQUE,
			opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
			number TEXT NOT NULL,
			title TEXT NOT NULL,
			status TEXT NOT NULL,
			currency TEXT NOT NULL,
			one_time BIGINT NOT NULL DEFAULT 0,
			monthly BIGINT NOT NULL DEFAULT 0,
			yearly BIGINT NOT NULL DEFAULT 0,
			total BIGINT NOT NULL DEFAULT 0,
			expires_on {{time}} NOT NULL,
			owner_email TEXT NOT NULL,
			document_url TEXT NOT NULL,
			sales_order_number TEXT NOT NULL DEFAULT '',
			sales_order_status TEXT NOT NULL DEFAULT '',
			external_updated_at {{time}} NOT NULL,
			withdrawn_at {{time}},
			created_at {{time}} NOT NULL,
			updated_at {{time}} NOT NULL)`,
		`CREATE INDEX external_quotes_opportunity ON external_quotes (opportunity_id, status)`,
		`CREATE INDEX external_quotes_status ON external_quotes (status, expires_on)`,
		`CREATE TABLE integration_log (
			id {{id}},
			method TEXT NOT NULL,
			external_id TEXT NOT NULL DEFAULT '',
			status INTEGER NOT NULL,
			result TEXT NOT NULL,
			problems TEXT NOT NULL DEFAULT '',
			created_at {{time}} NOT NULL)`,
		`CREATE INDEX integration_log_created ON integration_log (created_at, id)`,
	}},
	{11, "reports: quoted and from-a-lead flags on opportunities and report rollups, kept by triggers", reportMigration([]string{
		`ALTER TABLE opportunities ADD COLUMN quoted BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE opportunities ADD COLUMN from_lead BOOLEAN NOT NULL DEFAULT FALSE`,
		`UPDATE opportunities SET quoted = EXISTS (SELECT 1 FROM quotes WHERE quotes.opportunity_id = opportunities.id),
			from_lead = EXISTS (SELECT 1 FROM leads WHERE leads.opportunity_id = opportunities.id)`,
	}, []string{
		`CREATE TRIGGER quotes_quoted_insert AFTER INSERT ON quotes BEGIN
			UPDATE opportunities SET quoted = TRUE WHERE id = NEW.opportunity_id AND NOT quoted;
		END`,
		`CREATE TRIGGER quotes_quoted_delete AFTER DELETE ON quotes BEGIN
			UPDATE opportunities SET quoted = EXISTS (SELECT 1 FROM quotes WHERE opportunity_id = OLD.opportunity_id) WHERE id = OLD.opportunity_id;
		END`,
		`CREATE TRIGGER quotes_quoted_update AFTER UPDATE OF opportunity_id ON quotes BEGIN
			UPDATE opportunities SET quoted = EXISTS (SELECT 1 FROM quotes WHERE opportunity_id = opportunities.id) WHERE id IN (OLD.opportunity_id, NEW.opportunity_id);
		END`,
		`CREATE TRIGGER leads_from_lead_insert AFTER INSERT ON leads WHEN NEW.opportunity_id IS NOT NULL BEGIN
			UPDATE opportunities SET from_lead = TRUE WHERE id = NEW.opportunity_id AND NOT from_lead;
		END`,
		`CREATE TRIGGER leads_from_lead_delete AFTER DELETE ON leads WHEN OLD.opportunity_id IS NOT NULL BEGIN
			UPDATE opportunities SET from_lead = EXISTS (SELECT 1 FROM leads WHERE opportunity_id = OLD.opportunity_id) WHERE id = OLD.opportunity_id;
		END`,
		`CREATE TRIGGER leads_from_lead_update AFTER UPDATE OF opportunity_id ON leads BEGIN
			UPDATE opportunities SET from_lead = EXISTS (SELECT 1 FROM leads WHERE opportunity_id = opportunities.id) WHERE id IN (OLD.opportunity_id, NEW.opportunity_id);
		END`,
	}, []string{
		`CREATE FUNCTION opportunities_quoted_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP <> 'DELETE' THEN
				UPDATE opportunities SET quoted = TRUE WHERE id = NEW.opportunity_id AND NOT quoted;
			END IF;
			IF TG_OP <> 'INSERT' THEN
				UPDATE opportunities SET quoted = EXISTS (SELECT 1 FROM quotes WHERE opportunity_id = OLD.opportunity_id) WHERE id = OLD.opportunity_id;
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER quotes_quoted AFTER INSERT OR DELETE OR UPDATE OF opportunity_id ON quotes
			FOR EACH ROW EXECUTE FUNCTION opportunities_quoted_sync()`,
		`CREATE FUNCTION opportunities_from_lead_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP <> 'DELETE' AND NEW.opportunity_id IS NOT NULL THEN
				UPDATE opportunities SET from_lead = TRUE WHERE id = NEW.opportunity_id AND NOT from_lead;
			END IF;
			IF TG_OP <> 'INSERT' AND OLD.opportunity_id IS NOT NULL THEN
				UPDATE opportunities SET from_lead = EXISTS (SELECT 1 FROM leads WHERE opportunity_id = OLD.opportunity_id) WHERE id = OLD.opportunity_id;
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER leads_from_lead AFTER INSERT OR DELETE OR UPDATE OF opportunity_id ON leads
			FOR EACH ROW EXECUTE FUNCTION opportunities_from_lead_sync()`,
	})},
	{12, "opportunity sums per owner, stage, status, category and rating, kept by triggers", opportunitySums()},
	{13, "reports: creation-date indexes for report periods that do not fall on whole months", []string{
		// Covering: the leads of a period's partial months are counted from the index alone.
		`CREATE INDEX leads_created ON leads (created_at, campaign_id, owner_id, status)`,
		`CREATE INDEX opportunities_created ON opportunities (created_at)`,
	}},
	{14, "rate limits: fixed-window request counters shared by every app instance", []string{
		`CREATE TABLE rate_limits (
			bucket TEXT NOT NULL,
			window_start BIGINT NOT NULL,
			hits INTEGER NOT NULL,
			PRIMARY KEY (bucket, window_start))`,
		`CREATE INDEX rate_limits_window ON rate_limits (window_start)`,
	}},
	{15, "opportunity sums per status and owner (SQLite), kept from the opportunity sums by triggers", opportunityStatusSums()},
	{18, "reports: rollups per owner for all categories and for everyone, and per day for all campaigns, for any period of whole days", reportRollups()},
	{19, "reports: a campaign's records by creation date, for the days at a period's ends", []string{
		// Covering: a campaign's leads of a period's ends are counted from the index alone.
		`CREATE INDEX leads_campaign_created ON leads (campaign_id, created_at, owner_id, status)`,
		`CREATE INDEX opportunities_campaign_created ON opportunities (campaign_id, created_at)`,
	}},
	{20, "marketing: a campaign's leads newest first, for the campaign page and the lead list filtered by campaign", []string{
		// The campaign page's lead list reads its first page along this index
		// instead of sorting every lead of the campaign by id.
		`CREATE INDEX leads_campaign_id ON leads (campaign_id, id)`,
	}},
	{26, "rate limits: each window keeps its end, so limits of different lengths share the table", []string{
		// Rows from before have no end and are pruned with the next new window:
		// at most one minute's count starts again.
		`ALTER TABLE rate_limits ADD COLUMN window_end BIGINT NOT NULL DEFAULT 0`,
		`DROP INDEX rate_limits_window`,
		`CREATE INDEX rate_limits_end ON rate_limits (window_end)`,
	}},
	// SQLite reads a prefix as a range of organizations_name_key (bytes);
	// PostgreSQL's LIKE 'x%' needs the pattern operator class in a collation
	// other than C.
	{27, "pickers: organizations found by the start of their name on PostgreSQL", onlyOn("postgres",
		`CREATE INDEX organizations_name_key_pattern ON organizations (name_key text_pattern_ops)`)},
	// The opportunity list's text search reads titles along this index, which
	// holds a fraction of the table's bytes; a sort by title walks it.
	{28, "opportunity titles indexed for the list's search and sort", []string{
		`CREATE INDEX opportunities_title ON opportunities (title, id)`}},
	// A list sorted by status walks this index (by id within a status); the
	// one of migration 2 orders a status's rows by projected close.
	{29, "opportunity statuses indexed for the list's sort", []string{
		`CREATE INDEX opportunities_status_id ON opportunities (status, id)`}},
	// A list sorted by owner reads the users by name and each one's
	// opportunities by id along the first two, when no two users share a name;
	// the open ones sorted by amount are read along the third (all of them,
	// along opportunities_amount): before, SQLite sorted every open row.
	{30, "indexes for the opportunity list sorted by owner or amount", []string{
		`CREATE INDEX users_name ON users (name, id)`,
		`CREATE INDEX opportunities_owner_id ON opportunities (owner_id, id)`,
		`CREATE INDEX opportunities_open_amount ON opportunities (is_open, amount, id)`}},
	// The board reads its cards from the first index alone: opportunities_stage_open
	// with what a card shows besides (its 120 rows, scattered over the table,
	// were a sixth of the cards' CPU time at 1M); and everyone's column sums, on
	// SQLite, from opportunity_stage_sums (opportunityStageSums).
	{31, "the board's cards read along one index, its column sums from sums per stage", append([]string{
		`CREATE INDEX opportunities_stage_cards ON opportunities (stage_id, is_open, projected_close_date, id, amount, probability,
			owner_id, version, organization_id, title)`,
		`DROP INDEX opportunities_stage_open`}, opportunityStageSums()...)},
	// The opportunity list's search by the start of words (db/search.go).
	{32, "opportunity search by the words of titles and organization names", opportunitySearch()},
	{33, "the opportunity search's totals read along an index (SQLite)", searchSums()},
	// The quote editor's product picker finds a typed name or SKU, ignoring
	// case: SQLite reads a prefix as a range of these expression indexes,
	// PostgreSQL a LIKE 'x%' along the pattern operator class.
	{34, "pickers: products found by the start of their name or SKU", append(onlyOn("sqlite",
		`CREATE INDEX products_name_lower ON products (LOWER(name))`,
		`CREATE INDEX products_sku_lower ON products (LOWER(sku))`), onlyOn("postgres",
		`CREATE INDEX products_name_lower ON products (LOWER(name) text_pattern_ops)`,
		`CREATE INDEX products_sku_lower ON products (LOWER(sku) text_pattern_ops)`)...)},
	// On PostgreSQL the two in the C collation: a prefix is then a range that
	// the index walks in order, stopping at the suggestions' limit, where the
	// pattern operator class found every match and sorted them (109 ms for a
	// letter that 50,000 SKUs start with).
	{35, "pickers: products' name and SKU indexes by bytes on PostgreSQL", onlyOn("postgres",
		`DROP INDEX products_name_lower`,
		`DROP INDEX products_sku_lower`,
		`CREATE INDEX products_name_lower ON products ((LOWER(name) COLLATE "C"))`,
		`CREATE INDEX products_sku_lower ON products ((LOWER(sku) COLLATE "C"))`)},
	{36, "leads: an owner's leads newest first, for the lead list filtered by owner", []string{
		// As leads_campaign_id for a campaign's: the first page of an owner's
		// leads is read along this index instead of sorting every lead of the
		// owner by id (1.4 s for an owner of a million leads).
		`CREATE INDEX leads_owner_id ON leads (owner_id, id)`,
	}},
	{37, "opportunities: a period's totals from the creation-date index alone", []string{
		// The list's totals of a period (the funnel's drill-downs) read what
		// they filter and add up from here, not each row (a year's open ones
		// at 1M: 1.3 s); still in creation order, so reports walk it as before.
		`DROP INDEX opportunities_created`,
		`CREATE INDEX opportunities_created ON opportunities (created_at, is_open, status, owner_id, category_id, campaign_id, quoted, from_lead, amount, probability)`,
	}},
	// The quote editor's import picker (models.QuotePick): the quotes whose
	// name starts with what was typed, newest first within a name, read
	// along the index and stopping at the ten suggested. On PostgreSQL by
	// bytes, as migration 35's.
	{38, "pickers: quotes found by the start of their name", append(onlyOn("sqlite",
		`CREATE INDEX quotes_name_lower ON quotes (LOWER(name), number DESC)`), onlyOn("postgres",
		`CREATE INDEX quotes_name_lower ON quotes ((LOWER(name) COLLATE "C"), number DESC)`)...)},
	// The lead list's search by the start of words (db/search.go).
	{40, "lead search by the words of names, companies and e-mail addresses", leadSearch()},
	// Activations: a feature switched off because a feature it needs was
	// deactivated remembers which (off_with), so activating that one again
	// turns it back on; the change log says which change carried a change along.
	{41, "features: what a deactivation switched off with it", []string{
		`ALTER TABLE features ADD COLUMN off_with TEXT REFERENCES features (key)`,
		`ALTER TABLE feature_changes ADD COLUMN with_feature TEXT REFERENCES features (key)`,
	}},
}

// opportunity_sums holds the count, amount and weighted amount of the
// opportunities of each (owner, stage, status, category, rating). Triggers keep
// it exact in the transaction of every write, so the list's totals row and the
// board's column sums read a few hundred rows instead of a million, with
// nothing cached in any app process. category_id is 0 for none, so the key has
// no NULLs. The weighted amount is rounded per row, as the list rows show it.
func opportunitySums() []string {
	stmts := []string{
		`CREATE TABLE opportunity_sums (
			owner_id BIGINT NOT NULL,
			stage_id BIGINT NOT NULL,
			status TEXT NOT NULL,
			category_id BIGINT NOT NULL,
			rating TEXT NOT NULL,
			n BIGINT NOT NULL,
			amount BIGINT NOT NULL,
			weighted BIGINT NOT NULL,
			PRIMARY KEY (owner_id, stage_id, status, category_id, rating))`,
		`INSERT INTO opportunity_sums (owner_id, stage_id, status, category_id, rating, n, amount, weighted)
			SELECT owner_id, stage_id, status, COALESCE(category_id, 0), rating, COUNT(*), SUM(amount), SUM((amount * probability + 50) / 100)
			FROM opportunities GROUP BY owner_id, stage_id, status, COALESCE(category_id, 0), rating`,
	}
	stmts = append(stmts, onlyOn("sqlite", sqliteSumTriggers...)...)
	return append(stmts, onlyOn("postgres", postgresSumTriggers...)...)
}

// sumsChanged is when an update moves an opportunity between groups or changes its sums.
const sumsChanged = `OLD.owner_id <> NEW.owner_id OR OLD.stage_id <> NEW.stage_id OR OLD.status <> NEW.status OR
	COALESCE(OLD.category_id, 0) <> COALESCE(NEW.category_id, 0) OR OLD.rating <> NEW.rating OR
	OLD.amount <> NEW.amount OR OLD.probability <> NEW.probability`

// sqliteSumAdd adds a row's sums (from OLD or NEW, with sign - or +) to its group.
func sqliteSumAdd(row, sign, n string) string {
	return strings.NewReplacer("{{r}}", row, "{{sign}}", sign, "{{n}}", n).Replace(`INSERT INTO opportunity_sums (owner_id, stage_id, status, category_id, rating, n, amount, weighted)
		VALUES ({{r}}.owner_id, {{r}}.stage_id, {{r}}.status, COALESCE({{r}}.category_id, 0), {{r}}.rating, {{n}},
		{{sign}} {{r}}.amount, {{sign}} (({{r}}.amount * {{r}}.probability + 50) / 100))
		ON CONFLICT (owner_id, stage_id, status, category_id, rating) DO UPDATE SET n = opportunity_sums.n + excluded.n,
		amount = opportunity_sums.amount + excluded.amount, weighted = opportunity_sums.weighted + excluded.weighted;`)
}

var sqliteSumTriggers = []string{
	`CREATE TRIGGER opportunity_sums_insert AFTER INSERT ON opportunities BEGIN ` + sqliteSumAdd("NEW", "+", "1") + ` END`,
	`CREATE TRIGGER opportunity_sums_delete AFTER DELETE ON opportunities BEGIN ` + sqliteSumAdd("OLD", "-", "-1") + ` END`,
	`CREATE TRIGGER opportunity_sums_update AFTER UPDATE ON opportunities WHEN ` + sumsChanged + ` BEGIN ` +
		sqliteSumAdd("OLD", "-", "-1") + ` ` + sqliteSumAdd("NEW", "+", "1") + ` END`,
}

var postgresSumTriggers = []string{
	`CREATE FUNCTION opportunity_sums_add(o BIGINT, s BIGINT, st TEXT, c BIGINT, r TEXT, dn BIGINT, da BIGINT, dw BIGINT) RETURNS void LANGUAGE sql AS $$
		INSERT INTO opportunity_sums (owner_id, stage_id, status, category_id, rating, n, amount, weighted)
		VALUES (o, s, st, COALESCE(c, 0), r, dn, da, dw)
		ON CONFLICT (owner_id, stage_id, status, category_id, rating) DO UPDATE SET n = opportunity_sums.n + EXCLUDED.n,
		amount = opportunity_sums.amount + EXCLUDED.amount, weighted = opportunity_sums.weighted + EXCLUDED.weighted
	$$`,
	// An update takes its two groups in key order, so two moves between the
	// same groups in opposite directions wait for each other instead of deadlocking.
	`CREATE FUNCTION opportunity_sums_apply() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE
		old_first BOOLEAN;
	BEGIN
		IF TG_OP = 'INSERT' THEN
			PERFORM opportunity_sums_add(NEW.owner_id, NEW.stage_id, NEW.status, NEW.category_id, NEW.rating, 1, NEW.amount, (NEW.amount * NEW.probability + 50) / 100);
		ELSIF TG_OP = 'DELETE' THEN
			PERFORM opportunity_sums_add(OLD.owner_id, OLD.stage_id, OLD.status, OLD.category_id, OLD.rating, -1, -OLD.amount, -((OLD.amount * OLD.probability + 50) / 100));
		ELSE
			old_first := ROW(OLD.owner_id, OLD.stage_id, OLD.status, COALESCE(OLD.category_id, 0), OLD.rating) <=
				ROW(NEW.owner_id, NEW.stage_id, NEW.status, COALESCE(NEW.category_id, 0), NEW.rating);
			IF old_first THEN
				PERFORM opportunity_sums_add(OLD.owner_id, OLD.stage_id, OLD.status, OLD.category_id, OLD.rating, -1, -OLD.amount, -((OLD.amount * OLD.probability + 50) / 100));
			END IF;
			PERFORM opportunity_sums_add(NEW.owner_id, NEW.stage_id, NEW.status, NEW.category_id, NEW.rating, 1, NEW.amount, (NEW.amount * NEW.probability + 50) / 100);
			IF NOT old_first THEN
				PERFORM opportunity_sums_add(OLD.owner_id, OLD.stage_id, OLD.status, OLD.category_id, OLD.rating, -1, -OLD.amount, -((OLD.amount * OLD.probability + 50) / 100));
			END IF;
		END IF;
		RETURN NULL;
	END $$`,
	`CREATE TRIGGER opportunity_sums_insert_delete AFTER INSERT OR DELETE ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunity_sums_apply()`,
	`CREATE TRIGGER opportunity_sums_update AFTER UPDATE ON opportunities FOR EACH ROW WHEN (` + sumsChanged + `) EXECUTE FUNCTION opportunity_sums_apply()`,
}

// opportunityStatusSums is migration 15: on SQLite, the opportunity sums
// (migration 12) summed again per status and owner, kept by triggers on
// opportunity_sums, so the list's usual totals row (open or won, everyone's or
// one owner's) adds up two to a dozen rows instead of hundreds of groups. The
// triggers follow opportunity_sums however it changes, the generator's rebuild
// of it included. On PostgreSQL the totals read opportunity_sums: there a
// second level of hot rows would make concurrent writers wait on each other.
func opportunityStatusSums() []string {
	return opportunitySumsBy("opportunity_status_sums", [2]string{"status", "owner_id"}, [2]string{"TEXT", "BIGINT"})
}

// opportunityStageSums is part of migration 31: on SQLite, the opportunity
// sums summed again per stage and status, kept by triggers on opportunity_sums
// as opportunity_status_sums is (migration 15), so the board's column sums for
// everyone add up a row or two per column instead of every owner's, category's
// and rating's group of it (361 rows at 1M with four owners; more with more).
func opportunityStageSums() []string {
	return opportunitySumsBy("opportunity_stage_sums", [2]string{"stage_id", "status"}, [2]string{"BIGINT", "TEXT"})
}

// opportunitySumsBy makes, on SQLite, the table of the opportunity sums summed
// again by two of their keys (of the given column types), filled from
// opportunity_sums and kept by triggers on it.
func opportunitySumsBy(table string, key, types [2]string) []string {
	r := strings.NewReplacer("{{t}}", table, "{{a}}", key[0], "{{b}}", key[1], "{{ta}}", types[0], "{{tb}}", types[1])
	add := func(row, sign string) string {
		return strings.NewReplacer("{{r}}", row, "{{sign}}", sign).Replace(r.Replace(`INSERT INTO {{t}} ({{a}}, {{b}}, n, amount, weighted)
			VALUES ({{r}}.{{a}}, {{r}}.{{b}}, {{sign}} {{r}}.n, {{sign}} {{r}}.amount, {{sign}} {{r}}.weighted)
			ON CONFLICT ({{a}}, {{b}}) DO UPDATE SET n = {{t}}.n + excluded.n,
			amount = {{t}}.amount + excluded.amount, weighted = {{t}}.weighted + excluded.weighted;`))
	}
	return onlyOn("sqlite",
		r.Replace(`CREATE TABLE {{t}} (
			{{a}} {{ta}} NOT NULL,
			{{b}} {{tb}} NOT NULL,
			n BIGINT NOT NULL,
			amount BIGINT NOT NULL,
			weighted BIGINT NOT NULL,
			PRIMARY KEY ({{a}}, {{b}}))`),
		r.Replace(`INSERT INTO {{t}} ({{a}}, {{b}}, n, amount, weighted)
			SELECT {{a}}, {{b}}, SUM(n), SUM(amount), SUM(weighted) FROM opportunity_sums GROUP BY {{a}}, {{b}}`),
		r.Replace(`CREATE TRIGGER {{t}}_insert AFTER INSERT ON opportunity_sums BEGIN `)+add("NEW", "+")+` END`,
		r.Replace(`CREATE TRIGGER {{t}}_delete AFTER DELETE ON opportunity_sums BEGIN `)+add("OLD", "-")+` END`,
		// An opportunity_sums row keeps its key (only its sums change): one update.
		r.Replace(`CREATE TRIGGER {{t}}_update AFTER UPDATE ON opportunity_sums
			WHEN OLD.{{a}} = NEW.{{a}} AND OLD.{{b}} = NEW.{{b}} BEGIN
			UPDATE {{t}} SET n = n + NEW.n - OLD.n, amount = amount + NEW.amount - OLD.amount,
				weighted = weighted + NEW.weighted - OLD.weighted WHERE {{a}} = NEW.{{a}} AND {{b}} = NEW.{{b}}; END`),
		r.Replace(`CREATE TRIGGER {{t}}_rekey AFTER UPDATE ON opportunity_sums
			WHEN OLD.{{a}} <> NEW.{{a}} OR OLD.{{b}} <> NEW.{{b}} BEGIN `)+add("OLD", "-")+` `+add("NEW", "+")+` END`,
	)
}

// reportMigration is migration 11: statements for both dialects, the
// triggers of each, and the monthly report rollups (rollups.go, SQLite only).
// Their triggers and their first fill come with migration 18, which replaces
// what this one made on databases that have it: the triggers are those of the
// current code, as is the fill.
func reportMigration(both, sqlite, postgres []string) []string {
	out := append(both, onlyOn("sqlite", sqlite...)...)
	out = append(out, onlyOn("postgres", postgres...)...)
	return append(out, sqliteOnly(rollupTables)...)
}
