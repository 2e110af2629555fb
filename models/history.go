package models

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// HistoryEntry is one recorded change of an opportunity: who, when, which
// field, old → new. Version is the opportunity's version the change produced.
type HistoryEntry struct {
	ID            uint
	OpportunityID uint
	Version       int
	UserID        *uint
	User          *User
	Field         string
	OldValue      string
	NewValue      string
	OldRef        *int64 // ids for fields that refer to records (stage, owner …)
	NewRef        *int64
	CreatedAt     time.Time
}

func (HistoryEntry) TableName() string { return "opportunity_history" }

// Feature is the feature a change belongs to besides Sales, or "": the
// campaign and the lead an opportunity was converted from are Marketing's,
// so their changes are hidden while it is off.
func (h HistoryEntry) Feature() string {
	switch h.Field {
	case "campaign", "lead":
		return FeatureMarketing
	}
	return ""
}

// ShownHistory is hs without the changes of features that are off.
func ShownHistory(hs []HistoryEntry, on Features) []HistoryEntry {
	out := hs[:0:0]
	for _, h := range hs {
		if f := h.Feature(); f == "" || on.On(f) {
			out = append(out, h)
		}
	}
	return out
}

// FieldLabel names a history field for people.
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

var fieldLabels = map[string]string{}

// tracked is one field whose changes are recorded.
type tracked struct {
	key, label string
	text       func(o *Opportunity) string // the value as shown, for plain fields
	ref        func(o *Opportunity) *uint  // the id, for fields that refer to a record
	table      string                      // where the name of a ref lives
	nameCol    string
}

func dateText(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format("2006-01-02")
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func uptr(v uint) *uint { return &v }

var trackedFields = func() []tracked {
	ts := []tracked{
		{key: "title", label: "Title", text: func(o *Opportunity) string { return o.Title }},
		{key: "organization", label: "Organization", ref: func(o *Opportunity) *uint { return uptr(o.OrganizationID) }, table: "organizations", nameCol: "name"},
		{key: "contact", label: "Contact", ref: func(o *Opportunity) *uint { return o.ContactID }, table: "contacts", nameCol: "TRIM(first_name || ' ' || last_name)"},
		{key: "owner", label: "Owner", ref: func(o *Opportunity) *uint { return uptr(o.OwnerID) }, table: "users", nameCol: "name"},
		{key: "stage", label: "Stage", ref: func(o *Opportunity) *uint { return uptr(o.StageID) }, table: "opportunity_stages", nameCol: "name"},
		{key: "status", label: "Status", text: func(o *Opportunity) string { return o.Status.Label() }},
		{key: "probability", label: "Probability", text: func(o *Opportunity) string { return strconv.Itoa(o.Probability) + "%" }},
		{key: "probability_override", label: "Probability set by", text: func(o *Opportunity) string {
			if o.ProbabilityOverride {
				return "Rep (override)"
			}
			return "Stage default"
		}},
		{key: "rating", label: "Rating", text: func(o *Opportunity) string { return o.Rating.Label() }},
		{key: "projected_close_date", label: "Projected close date", text: func(o *Opportunity) string { return dateText(&o.ProjectedCloseDate) }},
		{key: "start_date", label: "Start date", text: func(o *Opportunity) string { return dateText(o.StartDate) }},
	}
	for _, p := range Periods {
		p := p
		ts = append(ts,
			tracked{key: "revenue_" + string(p), label: p.Label() + " revenue", text: func(o *Opportunity) string { return o.Revenue.Get(p).Display() }},
			tracked{key: "cost_" + string(p), label: p.Label() + " cost", text: func(o *Opportunity) string { return o.Cost.Get(p).Display() }})
	}
	pick := func(key, label string, ref func(o *Opportunity) *uint) tracked {
		return tracked{key: key, label: label, ref: ref, table: "picklist_values", nameCol: "name"}
	}
	ts = append(ts,
		pick("lead_source", "Lead source", func(o *Opportunity) *uint { return o.LeadSourceID }),
		pick("competitor", "Competitor", func(o *Opportunity) *uint { return o.CompetitorID }),
		pick("category", "Category", func(o *Opportunity) *uint { return o.CategoryID }),
		tracked{key: "campaign", label: "Campaign", ref: func(o *Opportunity) *uint { return o.CampaignID }, table: "campaigns", nameCol: "name"},
		tracked{key: "next_step", label: "Next step", text: func(o *Opportunity) string { return o.NextStep }},
		tracked{key: "description", label: "Description", text: func(o *Opportunity) string { return o.Description }},
		tracked{key: "need", label: "Need", text: func(o *Opportunity) string { return yesNo(o.Need) }},
		tracked{key: "solution", label: "Solution", text: func(o *Opportunity) string { return yesNo(o.Solution) }},
		tracked{key: "timeframe", label: "Timeframe", text: func(o *Opportunity) string { return yesNo(o.Timeframe) }},
		tracked{key: "budget", label: "Budget", text: func(o *Opportunity) string { return yesNo(o.Budget) }},
		pick("win_reason", "Win reason", func(o *Opportunity) *uint { return o.WinReasonID }),
		tracked{key: "win_detail", label: "Win detail", text: func(o *Opportunity) string { return o.WinDetail }},
		tracked{key: "closed_date", label: "Closed date", text: func(o *Opportunity) string { return dateText(o.ClosedDate) }},
		pick("loss_reason", "Loss reason", func(o *Opportunity) *uint { return o.LossReasonID }),
		tracked{key: "loss_detail", label: "Loss detail", text: func(o *Opportunity) string { return o.LossDetail }},
		tracked{key: "lost_date", label: "Lost date", text: func(o *Opportunity) string { return dateText(o.LostDate) }},
	)
	for _, t := range ts {
		fieldLabels[t.key] = t.label
	}
	fieldLabels["created"] = "Created"
	fieldLabels["reopened"] = "Reopened"
	fieldLabels["lead"] = "Converted from"
	return ts
}()

func trackedByKey(key string) tracked {
	for _, t := range trackedFields {
		if t.key == key {
			return t
		}
	}
	panic("no tracked field " + key)
}

func refName(tx *gorm.DB, t tracked, id *uint) (string, *int64, error) {
	if id == nil || *id == 0 {
		return "", nil, nil
	}
	var name string
	err := tx.Table(t.table).Where("id = ?", *id).Select(t.nameCol).Scan(&name).Error
	v := int64(*id) // #nosec G115 -- ids come from BIGINT columns, far below MaxInt64
	return name, &v, err
}

// diff lists the tracked fields that differ between before and after.
func diff(tx *gorm.DB, before, after *Opportunity) ([]HistoryEntry, error) {
	var out []HistoryEntry
	for _, t := range trackedFields {
		if t.ref == nil {
			if o, n := t.text(before), t.text(after); o != n {
				out = append(out, HistoryEntry{Field: t.key, OldValue: o, NewValue: n})
			}
			continue
		}
		ob, nb := t.ref(before), t.ref(after)
		if (ob == nil && nb == nil) || (ob != nil && nb != nil && *ob == *nb) {
			continue
		}
		on, oref, err := refName(tx, t, ob)
		if err != nil {
			return nil, err
		}
		nn, nref, err := refName(tx, t, nb)
		if err != nil {
			return nil, err
		}
		out = append(out, HistoryEntry{Field: t.key, OldValue: on, NewValue: nn, OldRef: oref, NewRef: nref})
	}
	return out, nil
}

// ConflictError is returned when an opportunity changed since the version the
// user started from. Changes are what the others changed in between.
type ConflictError struct {
	Current *Opportunity
	Changes []HistoryEntry
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("opportunity %d changed since version you edited (now version %d)", e.Current.ID, e.Current.Version)
}

// ErrNoStage is returned when a stage cannot be used.
var ErrNoStage = errors.New("choose an active stage")

// applyStage sets what follows from the stage: the stage's default probability
// unless the rep overrode it, and when the stage was entered.
func applyStage(tx *gorm.DB, before, o *Opportunity, now time.Time) error {
	var st Stage
	if err := tx.First(&st, o.StageID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNoStage
		}
		return err
	}
	if !o.ProbabilityOverride {
		o.Probability = st.DefaultProbability
	}
	if before == nil || before.StageID != o.StageID {
		o.StageChangedAt = &now
	}
	return nil
}

// CreateOpportunity stores a new opportunity and its first history entries.
func CreateOpportunity(db *gorm.DB, o *Opportunity, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := applyStage(tx, nil, o, now); err != nil {
			return err
		}
		o.Version = 1
		if err := tx.Omit(clause.Associations).Create(o).Error; err != nil {
			return err
		}
		stageName, ref, err := refName(tx, trackedByKey("stage"), &o.StageID)
		if err != nil {
			return err
		}
		entries := []HistoryEntry{
			{Field: "created", NewValue: o.Title},
			{Field: "stage", NewValue: stageName, NewRef: ref},
		}
		return record(tx, o, entries, by, now)
	})
}

func record(tx *gorm.DB, o *Opportunity, entries []HistoryEntry, by *User, now time.Time) error {
	if len(entries) == 0 {
		return nil
	}
	for i := range entries {
		entries[i].OpportunityID, entries[i].Version, entries[i].CreatedAt = o.ID, o.Version, now
		if by != nil {
			entries[i].UserID = &by.ID
		}
	}
	return tx.Create(&entries).Error
}

// SaveOpportunity writes o, which was edited starting from expectedVersion.
// If someone saved in between, nothing is written and a *ConflictError says
// what they changed. Every changed field is recorded in the history.
// extra entries (such as a reopen reason) are recorded with the change.
func SaveOpportunity(db *gorm.DB, o *Opportunity, expectedVersion int, by *User, now time.Time, extra ...HistoryEntry) ([]HistoryEntry, error) {
	var entries []HistoryEntry
	err := db.Transaction(func(tx *gorm.DB) error {
		var before Opportunity
		if err := tx.First(&before, o.ID).Error; err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return conflict(tx, &before, expectedVersion)
		}
		if err := applyStage(tx, &before, o, now); err != nil {
			return err
		}
		var err error
		if entries, err = diff(tx, &before, o); err != nil {
			return err
		}
		entries = append(entries, extra...)
		if len(entries) == 0 {
			o.Version = before.Version
			return nil
		}
		o.Version = expectedVersion + 1
		o.CreatedAt = before.CreatedAt
		res := tx.Model(o).Omit(clause.Associations, "CreatedAt").Select("*").
			Where("version = ?", expectedVersion).Updates(o)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// Someone saved between our read and our write.
			return conflict(tx, &before, expectedVersion)
		}
		return record(tx, o, entries, by, now)
	})
	return entries, err
}

func conflict(tx *gorm.DB, current *Opportunity, since int) error {
	if err := tx.First(current, current.ID).Error; err != nil {
		return err
	}
	var changes []HistoryEntry
	if err := tx.Preload("User").Where("opportunity_id = ? AND version > ?", current.ID, since).
		Order("created_at, id").Find(&changes).Error; err != nil {
		return err
	}
	return &ConflictError{Current: current, Changes: changes}
}

// History returns an opportunity's history, newest first.
func History(db *gorm.DB, oppID uint) ([]HistoryEntry, error) {
	// The user's name joined, in one prepared query read column by column: the
	// opportunity page reads it on every view. User holds the id and name only.
	rows, err := queryRows(db, `SELECT h.id, h.opportunity_id, h.version, h.user_id, h.field, h.old_value, h.new_value,
		h.old_ref, h.new_ref, h.created_at, users.name
		FROM opportunity_history h LEFT JOIN users ON users.id = h.user_id
		WHERE h.opportunity_id = ? ORDER BY h.created_at DESC, h.id DESC`, oppID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hs []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var name *string
		if err := rows.Scan(&h.ID, &h.OpportunityID, &h.Version, &h.UserID, &h.Field, &h.OldValue, &h.NewValue,
			&h.OldRef, &h.NewRef, &h.CreatedAt, &name); err != nil {
			return nil, err
		}
		h.User = namedUser(h.UserID, name)
		hs = append(hs, h)
	}
	return hs, rows.Close()
}

// namedUser is the joined user of a row (id and name), nil when there is none.
func namedUser(id *uint, name *string) *User {
	if id == nil || name == nil {
		return nil
	}
	return &User{ID: *id, Name: *name}
}

// StageSpan is a stretch of time an opportunity spent in one stage.
type StageSpan struct {
	Stage   string
	Entered time.Time
	Left    *time.Time // nil for the current stage
	Days    float64
}

// StageTimeline turns the stage entries of a history (any order) into the time
// spent in each stage, oldest first; the current stage runs until now.
func StageTimeline(history []HistoryEntry, now time.Time) []StageSpan {
	var stages []HistoryEntry
	for _, h := range history {
		if h.Field == "stage" {
			stages = append(stages, h)
		}
	}
	sort.SliceStable(stages, func(i, j int) bool {
		if stages[i].CreatedAt.Equal(stages[j].CreatedAt) {
			return stages[i].ID < stages[j].ID
		}
		return stages[i].CreatedAt.Before(stages[j].CreatedAt)
	})
	out := make([]StageSpan, 0, len(stages))
	for i, h := range stages {
		span := StageSpan{Stage: h.NewValue, Entered: h.CreatedAt}
		end := now
		if i+1 < len(stages) {
			left := stages[i+1].CreatedAt
			span.Left, end = &left, left
		}
		span.Days = end.Sub(h.CreatedAt).Hours() / 24
		out = append(out, span)
	}
	return out
}

// OutcomeInput is what marking an opportunity won or lost asks for.
type OutcomeInput struct {
	ReasonID     uint
	Detail       string
	Date         time.Time
	CompetitorID *uint // lost only, optional
	// PromisedDate is the promised fulfilment date of the sales order a win
	// creates (won only, optional).
	PromisedDate *time.Time
}

var (
	ErrNotOpen        = errors.New("only an open opportunity can be won or lost")
	ErrNotClosed      = errors.New("only a won or lost opportunity can be reopened")
	ErrReasonRequired = errors.New("a reason is required")
)

func stageWhere(db *gorm.DB, cond string) (*Stage, error) {
	var st Stage
	err := db.Where(cond+" = ?", true).Order("active DESC, position").First(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("%w: no stage is marked as %s", ErrNoStage, strings.TrimPrefix(cond, "is_"))
	}
	return &st, err
}

// MarkWon closes o as won: status Closed, the won stage, the win reason and date.
func MarkWon(db *gorm.DB, o *Opportunity, expectedVersion int, in OutcomeInput, by *User, now time.Time) error {
	if !o.Status.Open() {
		return ErrNotOpen
	}
	if in.ReasonID == 0 {
		return ErrReasonRequired
	}
	if err := CheckPicklist(db, WinReasons, in.ReasonID, nil); err != nil {
		return err
	}
	st, err := stageWhere(db, "is_won")
	if err != nil {
		return err
	}
	d := in.Date
	o.Status, o.StageID, o.ProbabilityOverride = StatusClosed, st.ID, false
	o.WinReasonID, o.WinDetail, o.ClosedDate = &in.ReasonID, strings.TrimSpace(in.Detail), &d
	return db.Transaction(func(tx *gorm.DB) error {
		if _, err := SaveOpportunity(tx, o, expectedVersion, by, now); err != nil {
			return err
		}
		return OnOpportunityWon(tx, o, in, by, now)
	})
}

// OnOpportunityWon runs in the transaction that marks an opportunity won; the
// procurement rules set it (sales_order.go) to create the sales order from
// the opportunity's primary quote.
var OnOpportunityWon = func(tx *gorm.DB, o *Opportunity, in OutcomeInput, by *User, now time.Time) error { return nil }

// MarkLost closes o as lost: status Lost, the lost stage, the loss reason, date
// and optionally the competitor who won it.
func MarkLost(db *gorm.DB, o *Opportunity, expectedVersion int, in OutcomeInput, by *User, now time.Time) error {
	if !o.Status.Open() {
		return ErrNotOpen
	}
	if in.ReasonID == 0 {
		return ErrReasonRequired
	}
	if err := CheckPicklist(db, LossReasons, in.ReasonID, nil); err != nil {
		return err
	}
	if in.CompetitorID != nil {
		if err := CheckPicklist(db, Competitors, *in.CompetitorID, o.CompetitorID); err != nil {
			return err
		}
		o.CompetitorID = in.CompetitorID
	}
	st, err := stageWhere(db, "is_lost")
	if err != nil {
		return err
	}
	d := in.Date
	o.Status, o.StageID, o.ProbabilityOverride = StatusLost, st.ID, false
	o.LossReasonID, o.LossDetail, o.LostDate = &in.ReasonID, strings.TrimSpace(in.Detail), &d
	_, err = SaveOpportunity(db, o, expectedVersion, by, now)
	return err
}

// Reopen makes a won or lost opportunity active again, back in the stage it
// was in before it closed, and records why.
func Reopen(db *gorm.DB, o *Opportunity, expectedVersion int, reason string, by *User, now time.Time) error {
	if o.Status != StatusClosed && o.Status != StatusLost && o.Status != StatusImplemented {
		return ErrNotClosed
	}
	if strings.TrimSpace(reason) == "" {
		return ErrReasonRequired
	}
	// The stage before closing is the old value of the last stage change.
	var last HistoryEntry
	err := db.Where("opportunity_id = ? AND field = ? AND old_ref IS NOT NULL", o.ID, "stage").
		Order("created_at DESC, id DESC").First(&last).Error
	var stage *Stage
	if err == nil {
		var st Stage
		if db.Where("id = ? AND active = ? AND is_won = ? AND is_lost = ?", *last.OldRef, true, false, false).First(&st).Error == nil {
			stage = &st
		}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	if stage == nil {
		var st Stage
		if err := db.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).Order("position").First(&st).Error; err != nil {
			return fmt.Errorf("%w: no open stage is active", ErrNoStage)
		}
		stage = &st
	}
	o.Status, o.StageID, o.ProbabilityOverride = StatusActive, stage.ID, false
	o.WinReasonID, o.WinDetail, o.ClosedDate = nil, "", nil
	o.LossReasonID, o.LossDetail, o.LostDate = nil, "", nil
	_, err = SaveOpportunity(db, o, expectedVersion, by, now, HistoryEntry{Field: "reopened", NewValue: strings.TrimSpace(reason)})
	return err
}

// MoveStage moves an open opportunity to another open stage (the pipeline board).
func MoveStage(db *gorm.DB, o *Opportunity, expectedVersion int, stageID uint, by *User, now time.Time) error {
	if !o.Status.Open() {
		return ErrNotOpen
	}
	var st Stage
	err := db.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).First(&st, stageID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNoStage
	}
	if err != nil {
		return err
	}
	o.StageID = st.ID
	_, err = SaveOpportunity(db, o, expectedVersion, by, now)
	return err
}

// Reassign gives the opportunities with ids to a new owner, each change recorded.
// It returns how many changed owner.
func Reassign(db *gorm.DB, ids []uint, ownerID uint, by *User, now time.Time) (int, error) {
	n := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		var owner User
		if err := tx.Where("active = ?", true).First(&owner, ownerID).Error; err != nil {
			return err
		}
		var opps []Opportunity
		if err := tx.Where("id IN ?", ids).Find(&opps).Error; err != nil {
			return err
		}
		for i := range opps {
			o := &opps[i]
			if o.OwnerID == ownerID {
				continue
			}
			o.OwnerID = ownerID
			if _, err := SaveOpportunity(tx, o, o.Version, by, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
