package views

// FunnelBar is one stage of the funnel picture and table.
type FunnelBar struct {
	Label   string
	Count   string
	Percent string // of the stage before
	URL     string // the records behind the number
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
	Campaigns   []Option
	Owners      []Option
	Categories  []Option
	Presets     []Option
	From, To    string
	Errs        Errors
	Query       string // the filter query, for CSV links
	Funnel      []FunnelBar
	Beside      []ReportFact
	Overall     string
	Figures     []ReportFact
	WinReasons  []ReasonLine
	LossReasons []ReasonLine
	Competitors []ReasonLine
	Forecast    []ForecastBar
	FunnelAlt   string
	ByOwner     []ReasonLine // name, count, "amount · weighted"
	StageTimes  []ReasonLine // stage, spans, average days
	ForecastAlt string
}
