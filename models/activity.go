package models

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// NoteKind is what a note records.
type NoteKind string

var NoteKinds = []NoteKind{"call", "email", "meeting", "other"}

func (k NoteKind) Label() string {
	switch k {
	case "call":
		return "Call"
	case "email":
		return "E-mail"
	case "meeting":
		return "Meeting"
	case "other":
		return "Other"
	}
	return string(k)
}

func (k NoteKind) Valid() bool {
	for _, v := range NoteKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Note is a call, e-mail, meeting or other remark on an opportunity.
type Note struct {
	ID            uint
	OpportunityID uint
	UserID        uint
	User          *User
	Kind          NoteKind
	Body          string
	CreatedAt     time.Time
}

// Todo is something to do for an opportunity, by someone, by a date.
type Todo struct {
	ID            uint
	OpportunityID uint
	Opportunity   *Opportunity
	Title         string
	DueDate       *time.Time
	AssigneeID    uint
	Assignee      *User
	CreatedByID   uint
	Done          bool
	DoneAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Overdue is true for an open to-do whose due date has passed.
func (t *Todo) Overdue(today time.Time) bool {
	return !t.Done && t.DueDate != nil && t.DueDate.Before(today)
}

func AddNote(db *gorm.DB, n *Note) error {
	n.Body = strings.TrimSpace(n.Body)
	return db.Create(n).Error
}

func AddTodo(db *gorm.DB, t *Todo) error {
	t.Title = strings.TrimSpace(t.Title)
	return db.Create(t).Error
}

// SetTodoDone marks a to-do done or open again.
func SetTodoDone(db *gorm.DB, t *Todo, done bool, now time.Time) error {
	t.Done = done
	t.DoneAt = nil
	if done {
		t.DoneAt = &now
	}
	return db.Model(t).Select("Done", "DoneAt", "UpdatedAt").Updates(t).Error
}

func NotesOf(db *gorm.DB, oppID uint) ([]Note, error) {
	var ns []Note
	err := db.Joins("User").Where("notes.opportunity_id = ?", oppID).Order("notes.created_at DESC, notes.id DESC").Find(&ns).Error
	return ns, err
}

// TodosOf lists an opportunity's to-dos: open ones first by due date, then done ones.
func TodosOf(db *gorm.DB, oppID uint) ([]Todo, error) {
	var ts []Todo
	err := db.Joins("Assignee").Where("todos.opportunity_id = ?", oppID).
		Order("todos.done, CASE WHEN todos.due_date IS NULL THEN 1 ELSE 0 END, todos.due_date, todos.id").Find(&ts).Error
	return ts, err
}

// OpenTodosFor lists a user's open to-dos, overdue first, then by due date.
func OpenTodosFor(db *gorm.DB, userID uint, limit int) ([]Todo, error) {
	var ts []Todo
	err := db.Preload("Opportunity").Where("assignee_id = ? AND done = ?", userID, false).
		Order("CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id").Limit(limit).Find(&ts).Error
	return ts, err
}

// Activity is one item of an opportunity's feed: a note, a to-do or a change.
type Activity struct {
	At      time.Time
	Note    *Note
	Todo    *Todo
	Changes []HistoryEntry // the entries of one save
}

// ActivityFeed mixes notes, to-dos and history newest first; the history
// entries of one save are grouped into one item.
func ActivityFeed(notes []Note, todos []Todo, history []HistoryEntry) []Activity {
	var out []Activity
	for i := range notes {
		out = append(out, Activity{At: notes[i].CreatedAt, Note: &notes[i]})
	}
	for i := range todos {
		out = append(out, Activity{At: todos[i].CreatedAt, Todo: &todos[i]})
	}
	for i := 0; i < len(history); {
		j := i + 1
		for j < len(history) && history[j].Version == history[i].Version {
			j++
		}
		out = append(out, Activity{At: history[i].CreatedAt, Changes: history[i:j]})
		i = j
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].At.After(out[b].At) })
	return out
}
