package views

// ActivationRow is one feature on the Activations page.
type ActivationRow struct {
	Key         string
	Name        string
	Description string
	Needs       string // name of the feature it needs, or ""
	NeedsOn     bool
	Active      bool
	ChangedBy   string
	ChangedAt   string
	// OffWith names the feature whose deactivation switched this one off
	// (it comes back on with that one), or "".
	OffWith string
	// BringsBack names the features that went off with this one and that
	// activating it turns back on.
	BringsBack []string
}

// ActivationChange is one line of the Activations page's change log.
type ActivationChange struct {
	When    string
	ISO     string
	Feature string
	Change  string // "Activated" or "Deactivated"
	With    string // the feature whose change carried it along, or ""
	By      string
}
