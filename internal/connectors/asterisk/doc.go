// Package asterisk translates Asterisk's queue_log into rastro events
// (EVENTS.md, model.Event), so that a PBX feeds rastro through the same
// contract as any other platform (SPEC.md §8). Only the standard library and
// rastro's model are used; the output is validated by ingest like any batch.
//
// TranslateCDR (cdr.go) does the same for CDR CSV files (cdr_csv's
// Master.csv and cdr_custom layouts): one voice interaction per call
// (linkedid), one leg per destination row, call.updated with the channels,
// dialled number, answer and hang-up times, Status de voz and the call
// quality of an RTPAUDIOQOS string. TranslateCEL (cel.go) reads cel_custom
// CSV files: channels, answers, hang-up sources and transfers. A call
// through Queue() is the queue_log's: the CDR and CEL only add call.updated
// to it (CallOptions, call.go), so the call appears once whatever the read
// order; only the leg an attended transfer by bridge merge opens, which both
// the queue_log and the CEL name by the bridge, is completed by the CEL,
// and the call's end (the caller's last CDR row, the CEL's first hang-up
// of the caller's last bridge) finishes, by a leg.finished without leg, whatever leg a transfer left
// open. Stream (stream.go) translates one line at a time for `rastro
// ingest --follow`. The README's "Asterisk CDR import", "Asterisk CEL
// import" and "One call, one truth" document the mappings; what follows is
// the queue_log's.
//
// # Input
//
// The queue_log file format, one line per fact:
//
//	epoch|callid|queuename|agent|event|data1|data2|data3|data4|data5
//
// Asterisk writes only the data fields an event uses, so a line has 5 to 10
// fields (11 for ATTENDEDTRANSFER|LINK|chan1|chan2|…); "NONE" stands for a
// missing callid, queue or agent. epoch is seconds since 1970 (UTC); a
// "2006-01-02 15:04:05" timestamp, as realtime queue_log tables export it, is
// also read, in Options.Location. Blank lines are skipped; a UTF-8 BOM is
// ignored.
//
// # Identities
//
//   - interaction = callid (the caller channel's uniqueid, as given; with
//     several Asterisk servers set systemname so uniqueids are unique).
//   - legs = "<callid>-1", then "<callid>-2", … : a new leg after each
//     transfer, and after a leg that ended in a queue (EXITWITHTIMEOUT…)
//     when the call enters another queue (overflow).
//   - agent = the agent field as given ("PJSIP/1001", "Agent/2001" or the
//     member name), service = the queue name.
//   - event id = "ast:<callid or agent>:<epoch>:<EVENT>:<12 hex of the
//     SHA-256 of the line>:<rastro type>" (≤ 128 characters): it depends
//     only on the line's content, so re-importing a file (or a file that has
//     grown, or rotated files concatenated) gives the same ids and rastro
//     reports the repeats as duplicates. An exact repeated line inside one
//     second is the same fact and is skipped.
//
// # Mapping
//
//	queue_log line                   rastro events (at = the line's epoch)
//	-------------------------------  ---------------------------------------------------------------
//	DID|number                       remembered; on the call's ENTERQUEUE: interaction.created
//	                                 at = the DID time (call start, gives the protocol), to = number,
//	                                 and call.updated dialed_number on every leg of the call
//	ENTERQUEUE|url|callerid|pos      first time: interaction.created (media voice, direction inbound,
//	                                 from = callerid, to = DID) + interaction.entered_omni;
//	                                 then leg.queued (service_id = queue) on the current leg
//	                                 (the leg a transfer opened) or on a new leg
//	CONNECT|holdtime|uniqueid|ring   leg.delivered (agent_id = agent) + call.updated answered_at,
//	                                 voice_status answered
//	COMPLETECALLER|hold|talk|pos     call.updated client_hangup_at, voice_status answered
//	                                 + leg.finished "service completed"
//	COMPLETEAGENT|hold|talk|pos      call.updated agent_hangup_at, voice_status answered
//	                                 + leg.finished "service completed"
//	ABANDON|pos|origpos|wait         call.updated voice_status abandoned, client_hangup_at
//	                                 + leg.finished "abandoned"
//	EXITWITHTIMEOUT, EXITEMPTY,      call.updated voice_status no_answer + leg.finished "dequeued"
//	EXITWITHKEY
//	TRANSFER, BLINDTRANSFER          leg.transferred (leg → new leg; to_service_id / to_agent_id
//	  |exten|context|…               only from Options.TransferTarget, else empty)
//	ATTENDEDTRANSFER|method|…        leg.transferred, no target; after BRIDGE|<bridge uniqueid> (a
//	                                 bridge merge) the new leg is "ast:<callid>:bridge:<uniqueid>",
//	                                 the CEL's name for it (the queue_log tells no more of it)
//	ADDMEMBER, AGENTLOGIN            agent.login media voice, when the agent was in no queue
//	REMOVEMEMBER, AGENTLOGOFF        agent.logout media voice, when the agent is left in no queue
//	PAUSE|reason                     agent.pause_started reason (empty → DefaultPauseReason), when
//	                                 the agent was not paused or the reason changed
//	UNPAUSE                          agent.pause_ended, when the agent is paused in no queue
//	RINGNOANSWER, QUEUESTART,        ignored (as is any other event, e.g. AGENTCALLED, PAUSEALL,
//	CONFIGRELOAD                     custom QueueLog() events)
//
// # Decisions
//
//   - Timeouts are "dequeued" with voice status no_answer (Não atendidas),
//     not abandoned: the caller did not give up, the queue let go of them.
//     Only ABANDON (the caller hung up while waiting) is abandoned.
//   - Transfer targets: a blind transfer names a dialplan extension and
//     context, which may be a queue, an agent's phone or an outside number;
//     queue_log cannot tell which. to_service_id and to_agent_id stay empty
//     (both optional in EVENTS.md) unless Options.TransferTarget maps the
//     extension; the new leg gets its service from the ENTERQUEUE that
//     follows (rastro otherwise keeps the previous leg's service). A
//     transfer out of the queues leaves the new leg open: queue_log never
//     says how it ended. The CEL ends the leg of an attended transfer by
//     bridge merge, which both name by the bridge (TranslateCEL); the
//     call's end in the CDR or CEL finishes any such leg still open then
//     (queueCallFacts, emitCallEnd); with the queue_log alone it stays
//     open, out of the Rastreio.
//   - Call facts (call.updated) always name their leg, and the dialed number
//     is repeated on each leg, since rastro keeps call facts per leg.
//   - Agent membership is per queue in Asterisk and per media in rastro: an
//     agent is logged in while a member of at least one queue, and paused
//     while paused in at least one: joining three queues gives one
//     agent.login, leaving the last one the agent.logout. A REMOVEMEMBER or UNPAUSE this input has
//     no record of (the agent joined before the file began) ends the login
//     or pause only when nothing else is known of the agent.
//   - State (legs, DIDs, memberships) lives across the lines of one input
//     (calls quiet for 12 h are forgotten, so memory stays flat): translate a
//     whole file, rotated ones with their predecessor, for exact results. A
//     call first seen mid-way (its ENTERQUEUE in an earlier file) is assumed
//     on its first leg and gets no interaction.created.
//   - Malformed lines (fewer than 5 or too many fields, a bad epoch, a call
//     event without callid, ENTERQUEUE without queue, CONNECT or an agent
//     event without agent) are collected as ParseErrors with their line
//     number, never stop the scan, and are returned together as Problems.
package asterisk
