package store

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Raw event bodies are stored zstd-compressed (events.zbody, body = ''),
// against a fixed dictionary: a body is a 100–300-byte JSON line, too short
// for zstd to find much to reuse inside it, but most of its bytes (keys,
// types, ids' prefixes, timestamp layouts) repeat from event to event.
// Measured on 30,507 bodies of the demo month (seed 1, not those the
// dictionary was made from): plain zstd keeps 85 % of the bytes, with this
// dictionary 43 % (85 bytes a body on average); on the hand-written events
// of docs/examples and the tests (another style: spaces after ':') 69 %.
//
// Level: on 61,015 demo bodies (one process, GOMAXPROCS=1, CPU time),
// SpeedDefault took 19.9 µs a body to encode for 84.5 bytes on average,
// SpeedFastest 10.7 µs for 87.5 bytes: half the ingest cost for 3.5 %
// more bytes. Expanding takes 1.1–1.3 µs either way.
//
// bodydict/v1.ndjson is the dictionary's content: ten events of each type of
// the demo month, as stored. Frames name the dictionary by id, so its bytes
// must never change: a better dictionary gets a new file and id, and the
// decoder keeps every old one.
//
// Rows stored before migration 0012 keep their plain body (zbody NULL) until
// compressPlainBodies reaches them; readers take either through DecodeBody.

//go:embed bodydict/v1.ndjson
var bodyDictV1 []byte

const bodyDictV1ID = 1

// bodyCodecT compresses and expands bodies (bodyCodec builds the one the
// process uses). Its encoder and decoder are
// safe for concurrent EncodeAll / DecodeAll calls and hold no state between
// calls: it is built once per process and never changed.
type bodyCodecT struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

var bodyCodec = sync.OnceValues(func() (*bodyCodecT, error) {
	// No checksum (the store's pages have their own integrity and 4 bytes
	// are 5 % of a compressed body); the frame holds its content size so
	// DecodeAll allocates once.
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false),
		zstd.WithSingleSegment(true),
		zstd.WithEncoderDictRaw(bodyDictV1ID, bodyDictV1))
	if err != nil {
		return nil, fmt.Errorf("event body encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(maxEventBody),
		zstd.WithDecoderDictRaw(bodyDictV1ID, bodyDictV1))
	if err != nil {
		return nil, fmt.Errorf("event body decoder: %w", err)
	}
	return &bodyCodecT{enc: enc, dec: dec}, nil
})

// maxEventBody bounds what one stored body may expand to: the API refuses
// an event over 1 MiB, so anything larger is a corrupt frame.
const maxEventBody = 4 << 20

// EncodeBody compresses a raw event body for events.zbody.
func EncodeBody(raw []byte) ([]byte, error) {
	c, err := bodyCodec()
	if err != nil {
		return nil, err
	}
	return c.enc.EncodeAll(raw, make([]byte, 0, len(raw)/2+16)), nil
}

// DecodeBody returns a stored event's raw body from its two columns: the
// compressed frame when there is one, else the plain body of a row stored
// before migration 0012 and not converted yet. Every reader of events.body
// goes through it.
func DecodeBody(plain string, compressed []byte) ([]byte, error) {
	if compressed == nil {
		if plain == "" {
			return nil, errors.New("stored event has no body")
		}
		return []byte(plain), nil
	}
	c, err := bodyCodec()
	if err != nil {
		return nil, err
	}
	raw, err := c.dec.DecodeAll(compressed, nil)
	if err != nil {
		return nil, fmt.Errorf("expand stored event body: %w", err)
	}
	return raw, nil
}
