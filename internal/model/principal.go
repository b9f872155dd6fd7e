package model

// Role of a user or token.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAnalyst    Role = "analyst"
	RoleViewer     Role = "viewer"
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	switch Role(r) {
	case RoleAdmin, RoleSupervisor, RoleAnalyst, RoleViewer:
		return true
	}
	return false
}

// DefaultPersonalData says whether a role sees CPF/phone/e-mail unmasked
// unless configured otherwise.
func DefaultPersonalData(r Role) bool { return r == RoleAdmin || r == RoleSupervisor }

// Principal is who is asking: every store query starts from it.
type Principal struct {
	Tenant string
	Actor  string // "user:NAME" or "token:ID"
	Role   Role
	// Services limits Rastreio/IVR/Agentes to these service ids; nil = all.
	Services []string
	// Clients limits Fluxo Ágil to these client ids; nil = all.
	Clients []string
	// PersonalData: may see CPF/CNPJ, phones and e-mails unmasked.
	PersonalData bool
}

// CanIngest: only admin and supervisor credentials may send events.
func (p Principal) CanIngest() bool { return p.Role == RoleAdmin || p.Role == RoleSupervisor }

// IsAdmin reports the admin role.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }
