package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
)

const connectorUsage = "connector add chatwoot --tenant T [--secret S] [--api-inbox-media MEDIA] [--chatwoot-url BASE] | connector add whatsapp --tenant T --verify-token V --app-secret S [--forward-to URL] | connector list [--tenant T] | connector revoke ID | connector errors --tenant T [--limit N] | connector replay --tenant T"

// cmdConnector manages the webhook connectors of real platforms (issue 15).
func cmdConnector(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError(connectorUsage)
	}
	fs := flag.NewFlagSet("connector "+args[0], flag.ContinueOnError)
	dsn := storeFlags(fs)
	switch args[0] {
	case "add":
		return connectorAdd(ctx, fs, dsn, args[1:])
	case "list":
		tenant := fs.String("tenant", "", "tenant (default: every tenant)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.Connectors(ctx, *tenant)
		if err != nil {
			return err
		}
		for _, c := range list {
			state := "active"
			if c.RevokedAt != nil {
				state = "revoked " + c.RevokedAt.Format(time.RFC3339)
			}
			var opts []string
			if c.Settings.Secret != "" || c.Settings.AppSecret != "" {
				opts = append(opts, "signed")
			}
			if c.Settings.APIInboxMedia != "" {
				opts = append(opts, "api-inbox-media="+c.Settings.APIInboxMedia)
			}
			if c.Settings.ChatwootURL != "" {
				opts = append(opts, "chatwoot-url="+c.Settings.ChatwootURL)
			}
			if c.Settings.ForwardTo != "" {
				opts = append(opts, "forward-to="+c.Settings.ForwardTo)
			}
			fmt.Printf("%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Tenant, c.Kind, c.CreatedAt.Format(time.RFC3339), strings.Join(opts, ","), state)
		}
		return nil
	case "revoke":
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError("connector revoke ID (ids: rastro connector list)")
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.RevokeConnector(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Println("revoked", fs.Arg(0), "(its webhook URL answers 404 from now on)")
		return nil
	case "errors":
		tenant := fs.String("tenant", "", "tenant (required)")
		limit := fs.Int("limit", 100, "list at most this many, oldest first (0: all)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *tenant == "" {
			return usageError("connector errors: --tenant is required")
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.Deliveries(ctx, *tenant, store.DeliveryFailed, *limit)
		if err != nil {
			return err
		}
		for _, d := range list {
			fmt.Printf("%d\t%s\t%s\t%s\t%s\n", d.ID, d.ConnectorID, d.ReceivedAt.Format(time.RFC3339), orDash(d.Event), d.Error)
		}
		if len(list) == 0 {
			fmt.Println("no untranslated deliveries")
		}
		return nil
	case "replay":
		tenant := fs.String("tenant", "", "tenant (required)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *tenant == "" {
			return usageError("connector replay: --tenant is required")
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		res, err := inbox.New(db, ingest.New(db)).Replay(ctx, *tenant)
		if err != nil {
			return err
		}
		fmt.Printf("replayed %d conversation(s): %d translated, %d still failing (rastro connector errors --tenant %s)\n", res.Threads, res.Translated, res.Failed, *tenant)
		return nil
	}
	return usageError(connectorUsage)
}

func connectorAdd(ctx context.Context, fs *flag.FlagSet, dsn *string, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Println("usage: rastro connector add chatwoot --tenant T [--secret S] [--api-inbox-media MEDIA] [--chatwoot-url BASE] [--db DSN]")
			fmt.Println("       rastro connector add whatsapp --tenant T --verify-token V --app-secret S [--forward-to URL] [--db DSN]")
			return errHelpShown
		}
		return usageError("connector add chatwoot|whatsapp --tenant T …")
	}
	kind := args[0]
	tenant := fs.String("tenant", "", "tenant the webhooks feed (required; created if needed)")
	secret := fs.String("secret", "", "Chatwoot's webhook secret: every delivery must then carry a valid X-Chatwoot-Signature")
	apiMedia := fs.String("api-inbox-media", "", "media of conversations of Chatwoot API inboxes (default chat)")
	chatwootURL := fs.String("chatwoot-url", "", "Chatwoot's address (http or https, e.g. https://app.chatwoot.com): the history links each conversation there")
	verifyToken := fs.String("verify-token", "", "WhatsApp: the Verify token typed in Meta's webhook setup (required)")
	appSecret := fs.String("app-secret", "", "WhatsApp: the Meta app's App Secret that signs X-Hub-Signature-256 (required)")
	forwardTo := fs.String("forward-to", "", "WhatsApp: relay every accepted delivery unchanged (body and X-Hub-Signature-256), in order, to this http(s) URL; `rastro serve` retries until it answers 2xx")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *tenant == "" {
		return usageError("connector add: --tenant is required")
	}
	switch kind {
	case store.ConnectorChatwoot:
		if *verifyToken != "" || *appSecret != "" || *forwardTo != "" {
			return usageError("connector add chatwoot: --verify-token, --app-secret and --forward-to are WhatsApp's (chatwoot takes --secret)")
		}
		if *chatwootURL != "" {
			u, err := store.PlatformURL(*chatwootURL)
			if err != nil {
				return usageError("connector add chatwoot: --chatwoot-url " + err.Error())
			}
			*chatwootURL = u
		}
	case store.ConnectorWhatsApp:
		if *verifyToken == "" || *appSecret == "" {
			return usageError("connector add whatsapp: --verify-token and --app-secret are required")
		}
		if *secret != "" || *apiMedia != "" || *chatwootURL != "" {
			return usageError("connector add whatsapp: --secret, --api-inbox-media and --chatwoot-url are Chatwoot's")
		}
		if *forwardTo != "" {
			u, err := store.PlatformURL(*forwardTo)
			if err != nil {
				return usageError("connector add whatsapp: --forward-to " + err.Error())
			}
			*forwardTo = u
		}
	default:
		return usageError(fmt.Sprintf("connector add: unknown platform %q (chatwoot, whatsapp)", kind))
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *apiMedia != "" {
		media, err := db.Media(ctx)
		if err != nil {
			return err
		}
		var ids []string
		ok := false
		for _, m := range media {
			ids = append(ids, m.ID)
			ok = ok || m.ID == *apiMedia
		}
		if !ok {
			return usageError(fmt.Sprintf("--api-inbox-media %q: not a media (%s)", *apiMedia, strings.Join(ids, ", ")))
		}
	}
	c, key, err := db.CreateConnector(ctx, *tenant, kind, store.ConnectorSettings{Secret: *secret, APIInboxMedia: *apiMedia, VerifyToken: *verifyToken, AppSecret: *appSecret, ForwardTo: *forwardTo, ChatwootURL: *chatwootURL})
	if err != nil {
		return err
	}
	if kind == store.ConnectorWhatsApp {
		fmt.Printf("connector %s for tenant %s (signed: X-Hub-Signature-256 required; the key is shown once: store it now)\n", c.ID, c.Tenant)
		fmt.Println("paste this callback URL, after your rastro address, with the same verify token, into Meta (WhatsApp → Configuration → Webhook), then subscribe to the messages field:")
		if *forwardTo != "" {
			fmt.Fprintf(os.Stderr, "every accepted delivery is relayed to %s by `rastro serve` (in order, retried until it answers 2xx)\n", *forwardTo)
		}
		fmt.Printf("/hooks/%s/%s\n", kind, key)
		return nil
	}
	signed := "unsigned: the key is the only credential"
	if *secret != "" {
		signed = "signed: X-Chatwoot-Signature required"
	}
	fmt.Printf("connector %s for tenant %s (%s; the key is shown once: store it now)\n", c.ID, c.Tenant, signed)
	fmt.Println("paste this webhook URL, after your rastro address, into Chatwoot (Settings → Integrations → Webhooks):")
	fmt.Printf("/hooks/%s/%s\n", kind, key)
	return nil
}
