// Package metrics holds every metric rule of SPEC.md as pure functions: the
// derivation of an interaction's finished legs (the Rastreio de Interações
// row, its typed fields and its formatted cells), IVR visits, the history of
// a protocol (Ver Histórico), bot conversations (Fluxo Ágil), agent login and
// pause spans (Relatório de Agentes), protocol numbers, duration and date
// formatting, call-quality classes, CPF/CNPJ validation and LGPD masking.
//
// Nothing here does I/O: every function reads events (in any order; they are
// sorted with model.Before first) and the tenant's Config and Directory, and
// returns values. The same events always give the same result.
//
// Decisions taken where SPEC.md is ambiguous are written next to the code
// that applies them, marked "Decision:".
package metrics
