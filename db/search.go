package db

import (
	"context"
	"database/sql"
	"fmt"

	"salesdesk/models"
)

// The opportunity list's text search finds the opportunities whose title or
// organization name has words starting with each word typed, the way a
// commercial CRM's search does (HubSpot's), from an index of words instead of
// reading every title: at a million opportunities a search costs its matches,
// not a scan of the table.
//
// On SQLite the index is an FTS4 table, opportunity_search (FTS4 is compiled
// into the driver; FTS5 would need a build tag), one row per opportunity with
// its title and its organization's name, docid the opportunity's id. It holds
// no copy of the text: it reads it, when it must, from the view
// opportunity_search_content (external content), so the triggers update it
// before a row changes (while the view still shows the words indexed) and after
// (the new words). The unicode61 tokenizer splits words at anything but a
// letter or a digit and folds case; diacritics are kept, as PostgreSQL's
// 'simple' configuration keeps them.
//
// On PostgreSQL, GIN indexes of the titles' and the organization names' words
// (to_tsvector('simple', …) with punctuation made a space, so a word there is
// a run of letters and digits as on SQLite), which PostgreSQL keeps itself.
func opportunitySearch() []string {
	insertNew := `INSERT INTO opportunity_search (docid, title, organization)
		SELECT NEW.id, NEW.title, g.name FROM organizations g WHERE g.id = NEW.organization_id`
	changed := `WHEN OLD.title <> NEW.title OR OLD.organization_id <> NEW.organization_id`
	renamed := `WHEN OLD.name <> NEW.name`
	return append(onlyOn("sqlite",
		`CREATE VIEW opportunity_search_content AS SELECT o.id AS rowid, o.title AS title, g.name AS organization
		FROM opportunities o JOIN organizations g ON g.id = o.organization_id`,
		`CREATE VIRTUAL TABLE opportunity_search USING fts4(content="opportunity_search_content", title, organization,
		tokenize=unicode61 "remove_diacritics=0")`,
		`INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')`,
		`CREATE TRIGGER opportunity_search_insert AFTER INSERT ON opportunities BEGIN `+insertNew+`; END`,
		`CREATE TRIGGER opportunity_search_delete BEFORE DELETE ON opportunities BEGIN
		DELETE FROM opportunity_search WHERE docid = OLD.id; END`,
		`CREATE TRIGGER opportunity_search_update_old BEFORE UPDATE OF title, organization_id ON opportunities `+changed+` BEGIN
		DELETE FROM opportunity_search WHERE docid = OLD.id; END`,
		`CREATE TRIGGER opportunity_search_update_new AFTER UPDATE OF title, organization_id ON opportunities `+changed+` BEGIN `+insertNew+`; END`,
		`CREATE TRIGGER opportunity_search_rename_old BEFORE UPDATE OF name ON organizations `+renamed+` BEGIN
		DELETE FROM opportunity_search WHERE docid IN (SELECT o.id FROM opportunities o WHERE o.organization_id = OLD.id); END`,
		`CREATE TRIGGER opportunity_search_rename_new AFTER UPDATE OF name ON organizations `+renamed+` BEGIN
		INSERT INTO opportunity_search (docid, title, organization)
		SELECT o.id, o.title, NEW.name FROM opportunities o WHERE o.organization_id = NEW.id; END`,
	), onlyOn("postgres",
		`CREATE INDEX opportunities_title_words ON opportunities USING gin (`+models.SearchWordsPG("title")+`)`,
		`CREATE INDEX organizations_name_words ON organizations USING gin (`+models.SearchWordsPG("name")+`)`,
	)...)
}

// leadSearch is the lead list's search by the start of words of the
// person's name, the company's name and the e-mail address (models.LeadFilter):
// on SQLite an FTS4 table, lead_search, whose content is the leads table itself
// (its docid a lead's id, its columns named as the leads'), kept in step by
// triggers as opportunity_search is; it keeps no figures for ranking
// (matchinfo=fts3), which the list does not do. On PostgreSQL a GIN index of
// the three columns' words.
func leadSearch() []string {
	insertNew := `INSERT INTO lead_search (docid, person_name, company_name, email) VALUES (NEW.id, NEW.person_name, NEW.company_name, NEW.email)`
	changed := `WHEN OLD.person_name IS NOT NEW.person_name OR OLD.company_name IS NOT NEW.company_name OR OLD.email IS NOT NEW.email`
	return append(onlyOn("sqlite",
		`CREATE VIRTUAL TABLE lead_search USING fts4(content="leads", person_name, company_name, email, matchinfo=fts3,
		tokenize=unicode61 "remove_diacritics=0")`,
		`INSERT INTO lead_search (lead_search) VALUES ('rebuild')`,
		`CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN `+insertNew+`; END`,
		`CREATE TRIGGER lead_search_delete BEFORE DELETE ON leads BEGIN DELETE FROM lead_search WHERE docid = OLD.id; END`,
		`CREATE TRIGGER lead_search_update_old BEFORE UPDATE OF person_name, company_name, email ON leads `+changed+` BEGIN
		DELETE FROM lead_search WHERE docid = OLD.id; END`,
		`CREATE TRIGGER lead_search_update_new AFTER UPDATE OF person_name, company_name, email ON leads `+changed+` BEGIN `+insertNew+`; END`,
	), onlyOn("postgres",
		`CREATE INDEX leads_words ON leads USING gin (`+models.LeadSearchWordsPG("")+`)`,
	)...)
}

// searchSums is the opportunities' id with what the list's totals of a search
// read (SQLite): the totals read each match by id along it, a few thousand
// pages, instead of each match's row of the table, as wide as the
// opportunity page (at a million opportunities a search for a word of 63,000
// of them summed in 0.11 s of CPU, 0.04 s along this index).
func searchSums() []string {
	return onlyOn("sqlite", `CREATE INDEX opportunities_search_sums ON opportunities (id, is_open, status, owner_id, stage_id, amount, probability)`)
}

// indexSearchAfterLoad fills the opportunity search index after a bulk load
// that wrote opportunities with the triggers dropped (the generator): on SQLite
// FTS4 reads every row again ('rebuild', some 5 s of CPU at a million
// opportunities), and the lead search index unless leadsIndexed (the leads
// were indexed in the generator's side file, genSide); PostgreSQL's indexes
// are built with the others.
func indexSearchAfterLoad(ctx context.Context, conn *sql.Conn, pg, leadsIndexed bool) error {
	if pg {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')`); err != nil {
		return fmt.Errorf("generate: opportunity search index: %w", err)
	}
	if !leadsIndexed {
		if _, err := conn.ExecContext(ctx, `INSERT INTO lead_search (lead_search) VALUES ('rebuild')`); err != nil {
			return fmt.Errorf("generate: lead search index: %w", err)
		}
	}
	return nil
}
