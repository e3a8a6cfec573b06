package ingest

import (
	"mime"
	"strings"

	"healthcode"
)

// Format is the encoding of a feed body.
type Format int

// The feed formats. The zero Format is none of them.
const (
	CSV    Format = iota + 1 // RFC 4180 comma-separated values with a header line
	NDJSON                   // one JSON object per line
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case NDJSON:
		return "ndjson"
	}
	return "unknown format"
}

// mediaTypes maps the accepted media types to their formats.
var mediaTypes = map[string]Format{
	"text/csv":                    CSV,
	"application/csv":             CSV,
	"text/comma-separated-values": CSV,
	"application/x-ndjson":        NDJSON,
	"application/ndjson":          NDJSON,
	"application/jsonl":           NDJSON,
	"application/x-jsonl":         NDJSON,
	"application/jsonlines":       NDJSON,
	"application/x-jsonlines":     NDJSON,
}

// DetectFormat reads a Content-Type header: text/csv (or application/csv,
// text/comma-separated-values) is CSV; application/x-ndjson,
// application/ndjson, application/jsonl, application/x-jsonl,
// application/jsonlines and application/x-jsonlines are NDJSON. A charset
// parameter, if any, must be UTF-8. Anything else is an EINVALID
// *healthcode.Error naming the accepted types.
func DetectFormat(contentType string) (Format, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, healthcode.Errorf(healthcode.EINVALID, "The Content-Type %q cannot be read: send text/csv or application/x-ndjson.", contentType)
	}
	f, ok := mediaTypes[mt]
	if !ok {
		return 0, healthcode.Errorf(healthcode.EINVALID, "Feeds are text/csv or application/x-ndjson (also application/jsonl), not %s.", mt)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return 0, healthcode.Errorf(healthcode.EINVALID, "Feeds are UTF-8, not %s.", cs)
	}
	return f, nil
}
