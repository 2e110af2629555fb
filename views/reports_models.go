package views

// FunnelView is the funnel component (picture, table, conversion), the same
// on the report page and on a campaign's page.
type FunnelView struct {
	Bars    []FunnelBar
	Beside  []ReportFact // lost, still open
	Overall string       // leads (or opportunities) to won
	Alt     string       // the picture's numbers as text
	Leads   bool         // the lead stages are shown (Marketing is on)
}

// FunnelBar is one stage of the funnel picture and table.
type FunnelBar struct {
	Label   string
	Count   string
	Percent string // of the stage before
	URL     string // the records behind the number
	// Parts, when set, are the lists that together make up the number (the
	// leads, and the opportunities entered without one).
	Parts []ReportFact
	// Trapezoid of the SVG, in its coordinate space.
	Points string
	TextY  string
}

type ReportFact struct {
	Label string
	Value string
	URL   string
}

type ReasonLine struct {
	Name   string
	Count  string
	Amount string
}

type ForecastBar struct {
	Month    string
	Count    string
	Amount   string
	Weighted string
	Won      string
	Past     bool
	// Bars of the SVG.
	X, WeightedY, WeightedH, WonY, WonH, AmountY, AmountH string
	URL                                                   string
}

type ReportPage struct {
	Campaign    Picker
	Owners      []Option
	Categories  []Option
	Presets     []Option
	From, To    string
	Errs        Errors
	Query       string // the filter query, for CSV links
	Funnel      FunnelView
	Figures     []ReportFact
	WinReasons  []ReasonLine
	LossReasons []ReasonLine
	Competitors []ReasonLine
	Forecast    []ForecastBar
	ByOwner     []ReasonLine // name, count, "amount · weighted"
	StageTimes  []ReasonLine // stage, spans, average days
	ForecastAlt string
}
