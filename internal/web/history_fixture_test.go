package web

// TransferredCall is one voice protocol (NDJSON lines, directory
// included), shared by the history tests of both test packages: the call
// passes the IVR "tc-ura" (named URA Principal), is answered by Carla in
// Suporte at 10:00:30, who transfers it to Vendas at 10:02:00 (her hang-up:
// DATA FINALIZAÇÃO AGENTE of leg 1); Bruno answers at 10:02:15 and the
// client hangs up at 10:04:10 (DATA FINALIZAÇÃO CLIENTE of leg 2). The
// contact Ana Souza has a CPF and a mobile; leg 2 is tabulated "Resolvido".
var TransferredCall = []string{
	`{"id":"tc-d1","type":"service.upserted","at":"2026-10-05T09:00:00-03:00","service":{"id":"tc-suporte","name":"Suporte"}}`,
	`{"id":"tc-d2","type":"service.upserted","at":"2026-10-05T09:00:00-03:00","service":{"id":"tc-vendas","name":"Vendas"}}`,
	`{"id":"tc-d3","type":"user.upserted","at":"2026-10-05T09:00:00-03:00","user":{"id":"tc-carla","name":"Carla Dias","tags":[],"status":"ativo"}}`,
	`{"id":"tc-d4","type":"user.upserted","at":"2026-10-05T09:00:00-03:00","user":{"id":"tc-bruno","name":"Bruno Lima","tags":[],"status":"ativo"}}`,
	`{"id":"tc-d5","type":"ivr.upserted","at":"2026-10-05T09:00:00-03:00","ivr":{"id":"tc-ura","name":"URA Principal"}}`,
	`{"id":"tc-d6","type":"tag.upserted","at":"2026-10-05T09:00:00-03:00","tag":{"id":"tc-ok","name":"Resolvido"}}`,
	`{"id":"tc-d7","type":"contact.upserted","at":"2026-10-05T09:00:00-03:00","contact":{"id":"tc-ana","name":"Ana Souza","document":"529.982.247-25","phones":["5511988887777"]}}`,
	`{"id":"tc-1","type":"interaction.created","at":"2026-10-05T10:00:00-03:00","interaction":"call-tc","media":"voice","protocol":"TC-20261005","direction":"inbound","from":"5511988887777","to":"551133334444","contact_id":"tc-ana"}`,
	`{"id":"tc-2","type":"ivr.entered","at":"2026-10-05T10:00:01-03:00","interaction":"call-tc","ivr_id":"tc-ura"}`,
	`{"id":"tc-3","type":"ivr.left","at":"2026-10-05T10:00:15-03:00","interaction":"call-tc","ivr_id":"tc-ura","outcome":"transferred","service_id":"tc-suporte"}`,
	`{"id":"tc-4","type":"leg.queued","at":"2026-10-05T10:00:15-03:00","interaction":"call-tc","leg":"l1","service_id":"tc-suporte"}`,
	`{"id":"tc-5","type":"leg.delivered","at":"2026-10-05T10:00:28-03:00","interaction":"call-tc","leg":"l1","agent_id":"tc-carla"}`,
	`{"id":"tc-6","type":"call.updated","at":"2026-10-05T10:00:30-03:00","interaction":"call-tc","leg":"l1","answered_at":"2026-10-05T10:00:30-03:00","voice_status":"answered"}`,
	`{"id":"tc-7","type":"leg.transferred","at":"2026-10-05T10:02:00-03:00","interaction":"call-tc","leg":"l1","new_leg":"l2","to_service_id":"tc-vendas"}`,
	`{"id":"tc-8","type":"call.updated","at":"2026-10-05T10:02:00-03:00","interaction":"call-tc","leg":"l1","agent_hangup_at":"2026-10-05T10:02:00-03:00"}`,
	`{"id":"tc-9","type":"leg.queued","at":"2026-10-05T10:02:01-03:00","interaction":"call-tc","leg":"l2","service_id":"tc-vendas"}`,
	`{"id":"tc-10","type":"leg.delivered","at":"2026-10-05T10:02:12-03:00","interaction":"call-tc","leg":"l2","agent_id":"tc-bruno"}`,
	`{"id":"tc-11","type":"call.updated","at":"2026-10-05T10:02:15-03:00","interaction":"call-tc","leg":"l2","answered_at":"2026-10-05T10:02:15-03:00","voice_status":"answered"}`,
	`{"id":"tc-12","type":"call.updated","at":"2026-10-05T10:04:10-03:00","interaction":"call-tc","leg":"l2","client_hangup_at":"2026-10-05T10:04:10-03:00"}`,
	`{"id":"tc-13","type":"leg.finished","at":"2026-10-05T10:04:12-03:00","interaction":"call-tc","leg":"l2","status":"service completed","tags":["tc-ok"]}`,
}
