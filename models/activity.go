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

// NotesOf lists an opportunity's notes, newest first. User holds the author's
// id and name only: what the page shows.
func NotesOf(db *gorm.DB, oppID uint) ([]Note, error) {
	rows, err := queryRows(db, `SELECT notes.id, notes.opportunity_id, notes.user_id, notes.kind, notes.body, notes.created_at, users.name
		FROM notes LEFT JOIN users ON users.id = notes.user_id
		WHERE notes.opportunity_id = ? ORDER BY notes.created_at DESC, notes.id DESC`, oppID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ns []Note
	for rows.Next() {
		var n Note
		var name *string
		if err := rows.Scan(&n.ID, &n.OpportunityID, &n.UserID, &n.Kind, &n.Body, &n.CreatedAt, &name); err != nil {
			return nil, err
		}
		n.User = namedUser(&n.UserID, name)
		ns = append(ns, n)
	}
	return ns, rows.Close()
}

// TodosOf lists an opportunity's to-dos: open ones first by due date, then done ones.
// Assignee holds the assignee's id and name only: what the page shows.
func TodosOf(db *gorm.DB, oppID uint) ([]Todo, error) {
	rows, err := queryRows(db, `SELECT todos.id, todos.opportunity_id, todos.title, todos.due_date, todos.assignee_id,
		todos.created_by_id, todos.done, todos.done_at, todos.created_at, todos.updated_at, users.name
		FROM todos LEFT JOIN users ON users.id = todos.assignee_id
		WHERE todos.opportunity_id = ?
		ORDER BY todos.done, CASE WHEN todos.due_date IS NULL THEN 1 ELSE 0 END, todos.due_date, todos.id`, oppID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []Todo
	for rows.Next() {
		var t Todo
		var name *string
		if err := rows.Scan(&t.ID, &t.OpportunityID, &t.Title, &t.DueDate, &t.AssigneeID, &t.CreatedByID, &t.Done, &t.DoneAt,
			&t.CreatedAt, &t.UpdatedAt, &name); err != nil {
			return nil, err
		}
		t.Assignee = namedUser(&t.AssigneeID, name)
		ts = append(ts, t)
	}
	return ts, rows.Close()
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
