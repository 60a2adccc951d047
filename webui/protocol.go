package webui

import (
	"encoding/json"
	"posturewatch/coach/domain"
)

// The WebSocket message types. Every message is one JSON object (one text
// frame) with a "type" field; see doc.go for the full protocol.
const (
	MsgHello   = "hello"   // first message on every connection
	MsgSample  = "sample"  // live posture, at most ~5/s per client, newest wins
	MsgEvent   = "event"   // a coach event (state, nudge, suggestion, …); never dropped
	MsgStatus  = "status"  // a new status snapshot; never dropped
	MsgStats   = "stats"   // today's statistics; never dropped
	MsgPreview = "preview" // a camera preview frame with keypoints; only to clients that asked, newest wins
	MsgReps    = "reps"    // live repetition count of a camera-checked exercise; never dropped
)

// Hello is the first message on every WebSocket connection.
type Hello struct {
	Version    string                `json:"version"`
	Status     domain.LiveStatus     `json:"status"`
	Stats      *domain.StatsSnapshot `json:"stats,omitempty"`
	SampleMS   int                   `json:"sample_ms"` // minimum interval between samples
	Preview    bool                  `json:"preview"`   // whether this client gets preview frames
	ServerTime string                `json:"server_time"`
	LastSample *domain.Sample        `json:"last_sample,omitempty"`
	History    bool                  `json:"history"` // whether GET /api/history is served
}

// envelope is the wire form of every WebSocket message.
type envelope struct {
	Type    string                `json:"type"`
	Hello   *Hello                `json:"hello,omitempty"`
	Sample  *domain.Sample        `json:"sample,omitempty"`
	Event   *domain.Event         `json:"event,omitempty"`
	Status  *domain.LiveStatus    `json:"status,omitempty"`
	Stats   *domain.StatsSnapshot `json:"stats,omitempty"`
	Preview *domain.Preview       `json:"preview,omitempty"`
	Reps    *domain.RepCount      `json:"reps,omitempty"`
}

func marshalEnvelope(e envelope) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		// Only unmarshalable values (NaN, channels) get here; send an
		// explicit error message rather than nothing.
		b, _ = json.Marshal(map[string]string{"type": "error", "error": "cannot encode " + e.Type + ": " + err.Error()})
	}
	return b
}

// clientMessage is what the browser sends: {"type":"preview","on":true}.
type clientMessage struct {
	Type string `json:"type"`
	On   bool   `json:"on"`
}
