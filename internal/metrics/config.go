package metrics

import (
	"time"
	// The zone database travels in the binary (about 450 KB): every
	// tenant's zone, and the default, loads the same on a host without
	// /usr/share/zoneinfo (a scratch container), so no zone ever falls
	// back to a fixed offset.
	_ "time/tzdata"

	"github.com/rastro/rastro/internal/model"
)

// Config is the tenant's settings that rules depend on.
type Config struct {
	TZ               *time.Location           // tenant zone; nil means America/Sao_Paulo
	ExpirationWindow map[string]time.Duration // per media; missing → model.Media default (24h for whatsapp and chat), 0 = not applicable
}

// Directory resolves names for the formatted cells. Unknown ids give "" / false.
type Directory interface {
	ServiceName(id string) string
	UserName(id string) string
	TagName(id string) string
	IVRName(id string) string
	Contact(id string) (model.Contact, bool)
}

// DefaultTZ is America/Sao_Paulo, the zone of a tenant that set none (or
// whose zone name is unknown: store.Zone).
var DefaultTZ = mustLoadLocation("America/Sao_Paulo")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("metrics: embedded zone database lacks " + name + ": " + err.Error())
	}
	return loc
}

func orDefaultTZ(loc *time.Location) *time.Location {
	if loc == nil {
		return DefaultTZ
	}
	return loc
}

// Location is the tenant zone (DefaultTZ when TZ is nil).
func (c Config) Location() *time.Location { return orDefaultTZ(c.TZ) }

// Window is the STATUS DE EXPIRAÇÃO window of a media: the tenant's setting
// when present, else the media default (model.Media.ExpirationWindowHours);
// 0 means the status does not apply to the media.
func (c Config) Window(media string) time.Duration {
	if d, ok := c.ExpirationWindow[media]; ok {
		return d
	}
	if m, ok := model.MediaByID(media); ok {
		return time.Duration(m.ExpirationWindowHours) * time.Hour
	}
	return 0
}

// noDirectory knows nobody; used when a nil Directory is passed.
type noDirectory struct{}

func (noDirectory) ServiceName(string) string            { return "" }
func (noDirectory) UserName(string) string               { return "" }
func (noDirectory) TagName(string) string                { return "" }
func (noDirectory) IVRName(string) string                { return "" }
func (noDirectory) Contact(string) (model.Contact, bool) { return model.Contact{}, false }

func directoryOr(d Directory) Directory {
	if d == nil {
		return noDirectory{}
	}
	return d
}
