package webui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"
)

// clientMessageSeeds are what a browser may send on the WebSocket: what
// the dashboard sends (socket.js: {"type":"preview","on":…}), and what an
// older, newer or broken client might.
var clientMessageSeeds = []string{
	`{"type":"preview","on":true}`,
	`{"type":"preview","on":false}`,
	`{"type":"preview"}`,
	`{"type":"preview","on":"yes"}`,
	`{"type":"preview","on":1}`,
	`{"type":"preview","on":null}`,
	`{"type":"Preview","on":true}`,
	`{"TYPE":"preview","ON":true}`,
	`{"type":"preview","on":true,"extra":[1,2,3]}`,
	`{"type":"preview","on":true}{"type":"preview","on":false}`,
	`{"type":"ping"}`,
	`{"type":""}`,
	`{"type":7}`,
	`{}`, `[]`, `null`, `true`, `"preview"`, ``, `{`, "\xff\xfe", `{"type":"\ud800"}`,
	`{"a":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`,
}

// hubAction is what the hub's read loop does with one message (hub.go
// readPump): decode it as a clientMessage, ignore it if that fails, and act
// only on "preview". ok is false for an ignored message.
func hubAction(data []byte) (preview, ok bool) {
	var m clientMessage
	if json.Unmarshal(data, &m) != nil || m.Type != "preview" {
		return false, false
	}
	return m.On, true
}

// FuzzClientMessage: decoding what a browser sends never panics; a message
// that decodes writes back and decodes to itself, and the hub acts on it
// only when it is a JSON object with type "preview" and a boolean (or no)
// "on".
func FuzzClientMessage(f *testing.F) {
	for _, s := range clientMessageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m clientMessage
		if err := json.Unmarshal(data, &m); err != nil {
			if _, ok := hubAction(data); ok {
				t.Fatalf("%q does not decode, yet the hub would act on it", data)
			}
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%q: marshal %+v: %v", data, m, err)
		}
		var back clientMessage
		if err := json.Unmarshal(out, &back); err != nil || back != m {
			t.Fatalf("%q → %+v → %s → %+v, %v", data, m, out, back, err)
		}
		on, ok := hubAction(data)
		if !ok {
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			t.Fatalf("the hub acts on %q, which is not a JSON object (%v)", data, err)
		}
		if !on {
			return
		}
		var raw any
		for k, v := range obj {
			if strings.EqualFold(k, "on") {
				raw = v
			}
		}
		if raw == nil {
			t.Fatalf("%q turned the preview on without an \"on\" field", data)
		}
	})
}

// Every message of the fuzz corpus, sent over a connection, leaves the
// connection working: the hub ignores what it does not understand and still
// obeys the dashboard's preview requests afterwards. A message over the
// 4 KiB read limit ends that connection only; the server takes new ones.
// The connections are in-memory, on fake time (a synctest bubble): the
// waits for the hub to act end as soon as it has, however busy the machine.
func TestHubSurvivesClientMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, nil)
		c := connect(t, ts)
		readMsg(t, c, patience) // hello
		go func() {             // keep reading so pings and closes are handled
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		send := func(mt int, data []byte) {
			t.Helper()
			_ = c.SetWriteDeadline(time.Now().Add(patience))
			if err := c.WriteMessage(mt, data); err != nil {
				t.Fatalf("write %q: %v", data, err)
			}
		}
		// The backend hears of the preview only when the wish changes.
		var want []bool
		expect := func(data []byte) {
			t.Helper()
			on, ok := hubAction(data)
			if !ok || (len(want) > 0 && want[len(want)-1] == on) || (len(want) == 0 && !on) {
				return
			}
			want = append(want, on)
			waitFor(t, fmt.Sprintf("the preview request %q", data), patience, func() bool {
				return slices.Equal(ts.fb.previewCalls(), want)
			})
		}
		for _, s := range clientMessageSeeds {
			if len(s) > 4096 {
				continue
			}
			// Text and binary frames are read alike.
			for _, mt := range []int{websocket.TextMessage, websocket.BinaryMessage} {
				send(mt, []byte(s))
				expect([]byte(s))
				// and the connection still obeys: on, then off (at least one
				// of them a change the backend hears of)
				for _, on := range []bool{true, false} {
					b, _ := json.Marshal(clientMessage{Type: "preview", On: on})
					send(websocket.TextMessage, b)
					expect(b)
				}
			}
		}
		if len(want) < 4 {
			t.Fatalf("preview requests seen: %v", want)
		}
		synctest.Wait() // every message sent has been read and acted on
		// Garbage is ignored without a trace.
		if got := ts.fb.previewCalls(); !slices.Equal(got, want) {
			t.Fatalf("preview calls %v, want %v", got, want)
		}

		// The server may end the connection before it has read the whole
		// oversized frame: a pipe, unlike a socket's buffer, then refuses
		// the rest of the write. The connection's end is what counts.
		_ = c.SetWriteDeadline(time.Now().Add(patience))
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","pad":"`+strings.Repeat("x", 4096)+`"}`))
		waitFor(t, "the oversized message to end the connection", patience, func() bool { return ts.srv.Clients() == 0 })
		c2 := connect(t, ts) // after an oversized message
		if m := readMsg(t, c2, patience); m.Type != MsgHello {
			t.Fatalf("first message after reconnecting: %+v", m)
		}
	})
}
