package model

// Media is a channel of contact. The set is data: the store keeps a media
// table seeded with DefaultMedia, and more rows can be added there; a media
// brings its own filter rules (which Rastreio filters apply to it).
type Media struct {
	ID      string `json:"id"`
	Label   string `json:"label"`    // pt-BR, as SPEC.md writes it
	LabelEN string `json:"label_en"` // English
	// Filters that apply to this media besides the common ones (see
	// MediaFilters): expiration_status, voice_status, call_quality,
	// service_status, email, phone.
	Filters []string `json:"filters"`
	// ExpirationWindowHours is the default STATUS DE EXPIRAÇÃO window (0 = not applicable).
	ExpirationWindowHours int `json:"expiration_window_hours"`
}

// Media ids of EVENTS.md.
const (
	MediaWhatsApp    = "whatsapp"
	MediaVoice       = "voice"
	MediaChat        = "chat"
	MediaEmail       = "email"
	MediaSMS         = "sms"
	MediaReclameAqui = "reclameaqui"
	MediaInstagram   = "instagram"
)

// DefaultMedia is the seed list, with the visibility rules of SPEC.md §3.
var DefaultMedia = []Media{
	{ID: MediaWhatsApp, Label: "WhatsApp", LabelEN: "WhatsApp", Filters: []string{"expiration_status", "service_status", "phone"}, ExpirationWindowHours: 24},
	{ID: MediaVoice, Label: "Voz", LabelEN: "Voice", Filters: []string{"voice_status", "call_quality", "phone"}},
	{ID: MediaChat, Label: "Chat", LabelEN: "Chat", Filters: []string{"expiration_status", "service_status", "phone"}, ExpirationWindowHours: 24},
	{ID: MediaEmail, Label: "E-mail", LabelEN: "E-mail", Filters: []string{"email"}},
	{ID: MediaSMS, Label: "SMS", LabelEN: "SMS", Filters: []string{"service_status", "phone"}},
	{ID: MediaReclameAqui, Label: "ReclameAqui", LabelEN: "ReclameAqui", Filters: []string{"service_status", "phone"}},
	{ID: MediaInstagram, Label: "Instagram", LabelEN: "Instagram", Filters: []string{"service_status"}},
}

// MediaByID finds a media of the default list.
func MediaByID(id string) (Media, bool) {
	for _, m := range DefaultMedia {
		if m.ID == id {
			return m, true
		}
	}
	return Media{}, false
}

// HasFilter says whether a media-specific filter applies to m.
func (m Media) HasFilter(name string) bool {
	for _, f := range m.Filters {
		if f == name {
			return true
		}
	}
	return false
}

// IsHoldMedia says whether TMP/TMI apply (SPEC.md: Chat and WhatsApp only).
func IsHoldMedia(media string) bool { return media == MediaChat || media == MediaWhatsApp }

// Enumerations of EVENTS.md.
var (
	LegStatuses   = []string{"abandoned", "bad phone", "bad number", "dequeued", "service completed"}
	VoiceStatuses = []string{"abandoned", "answered", "voicemail", "not_connected", "out_of_service", "no_answer", "message_left"}
	CallQualities = []string{"alta", "media", "baixa"} // QUALIDADE DE CHAMADA classes Alta, Média, Baixa
	Senders       = []string{"client", "agent", "bot", "system"}
	BotSenders    = []string{"bot", "client"}
	HoldKinds     = []string{"hold", "personal_queue"}
	Directions    = []string{"inbound", "outbound"}
	StartedBy     = []string{"cliente", "empresa"}
	// MessageStatuses of message.status, from least to most advanced
	// (failed aside).
	MessageStatuses = []string{"sent", "delivered", "read", "failed"}
	IVROutcomes     = []string{"transferred", "abandoned", "finished"}
	BotOutcomes     = []string{"finished", "handed_off", "abandoned", "expired"}
	UserStatuses    = []string{"ativo", "inativo"}
	StatusTransfer  = "service transferred"
)

// VoiceStatusLabels maps voice_status values to the Status de voz labels.
var VoiceStatusLabels = map[string]string{
	"abandoned": "Abandonadas", "answered": "Atendidas", "voicemail": "Caixa Postal",
	"not_connected": "Chamadas não conectadas", "out_of_service": "Fora de Serviço",
	"no_answer": "Não atendidas", "message_left": "Recado",
}
