package model

import "time"

// LegRow is one finished leg as the Rastreio report and the rollups read it:
// the columns filters use, the metric values rollups add up, and Cells, the
// formatted report cells (ColumnsFor(Media), in order) that the screen, the
// JSON API and every export print, so all of them show the same text.
type LegRow struct {
	LegID         string
	InteractionID string
	Protocol      string
	Media         string
	Seq           int // position of the leg in its interaction (1-based)

	EnteredAt time.Time // DATA/HORA instant
	LocalDate string    // AAAA-MM-DD in the tenant zone
	LocalTime string    // HH:MM:SS in the tenant zone
	Bucket    string    // local hour "AAAA-MM-DD HH", the rollup grain

	ServiceID   string
	AgentID     string
	ContactID   string
	Status      string // leg status incl. "service transferred"
	VoiceStatus string
	CallQuality string // alta | media | baixa (CallQualities), "" unknown or not voice: the QUALIDADE DE CHAMADA cell's class
	Expired     *bool  // nil where STATUS DE EXPIRAÇÃO does not apply
	Portfolio   bool
	ExternalID  string
	ExtProtocol string
	Direction   string
	Tags        []string // finalization tag ids
	Phones      []string // digits of from/to and the contact's phones
	Emails      []string // lower-cased contact e-mails

	QueuedAt    *time.Time
	DeliveredAt *time.Time
	AnsweredAt  *time.Time // DATA ATENDIDA
	FinishedAt  time.Time  // DATA FINALIZADA

	// Metrics in seconds; nil where the column does not apply or is empty.
	Duration *float64
	TMP      *float64
	TMI      *float64
	TM1R     *float64
	TMR      *float64

	RecordingURL string
	Cells        []string
}

// IVRVisit is one call's passage through an IVR, with what happened after
// it (Relatório IVR).
type IVRVisit struct {
	InteractionID string
	IVRID         string
	EnteredAt     time.Time
	LeftAt        *time.Time
	Bucket        string // local hour of EnteredAt
	Outcome       string // transferred | abandoned | finished | "" while unknown
	ServiceID     string
	AgentID       string // agent of the first leg delivered after the IVR
	Path          string // options joined by " > "
	Answered      bool   // delivered to an agent
	AbandonedQ    bool   // transferred but never delivered (abandoned in queue)
	IVRSeconds    float64
	WaitSeconds   *float64 // queued → delivered
	TalkSeconds   *float64 // DURAÇÃO of the answering leg
}

// BotConversation is one conversation of a batch contact with a bot flow.
type BotConversation struct {
	Conversation string
	Flow         string
	ClientID     string
	CampaignID   string
	BatchID      string
	ContactID    string
	Channel      string
	StartedAt    time.Time
	LocalDate    string
	EndedAt      *time.Time
	Outcome      string // finished | handed_off | abandoned | expired | "" (open)
	Interaction  string // the human interaction it was handed to
	Messages     int
	Steps        []string // nodes reached, in order
	LastStep     string
}

// BotRowSummary is one Fluxo Ágil row (a batch, contact and flow) summed
// up from its conversations: what the report lists and the drop-off counts
// when every conversation of the row is selected.
type BotRowSummary struct {
	ClientID, CampaignID string // of the latest conversation
	Mixed                bool   // the conversations do not all share client and campaign
	FirstDate, LastDate  string // local dates of the earliest and latest start
	Conversations        int
	Messages             int
	LatestConversation   string
	LastStep, Outcome    string         // of the latest conversation
	ReachedHuman         bool           // a conversation was handed to a human
	Steps                map[string]int // each step reached → its earliest position in a conversation (0 = first)
}

// AgentSpan is a period an agent was logged in or paused, clipped to one
// local hour bucket so reports can filter by date and hour.
type AgentSpan struct {
	AgentID string
	Kind    string // "login" | "pause"
	Media   string // login media ("" = all)
	Reason  string // pause reason
	Bucket  string
	Seconds float64
}
